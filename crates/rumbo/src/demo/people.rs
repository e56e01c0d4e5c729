//! The demo's user accounts: one or more of every role, with usernames that are easy to type
//! and one shared password. Display names are drawn from lists of common first names and
//! surnames, so they belong to no one in particular; e-mail addresses use the reserved
//! `.invalid` domain, so no message can ever reach anyone.

use rumbo_domain::access::Role;
use rumbo_domain::language::Language;

use super::rng::Rng;

/// The password of every demo account (at least 10 characters, as Rumbo requires).
pub const PASSWORD: &str = "rumbo-demo";

/// Who a demo login is: what the login table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login {
    pub username: &'static str,
    pub role: Role,
    /// `None`: the whole region.
    pub country: Option<&'static str>,
    /// The acronym of the user's organisation.
    pub organisation: &'static str,
    pub language: Option<Language>,
}

const fn login(
    username: &'static str,
    role: Role,
    country: Option<&'static str>,
    organisation: &'static str,
    language: Option<Language>,
) -> Login {
    Login {
        username,
        role,
        country,
        organisation,
        language,
    }
}

const PT: Option<Language> = Some(Language::Pt);
const EN: Option<Language> = Some(Language::En);

pub const LOGINS: [Login; 26] = [
    login("admin", Role::PlatformAdmin, None, "UNHCR", EN),
    login("im.region", Role::ImOfficer, None, "IOM", None),
    login("im.col", Role::ImOfficer, Some("COL"), "IOM", None),
    login("im.per", Role::ImOfficer, Some("PER"), "UNHCR", None),
    login("im.ecu", Role::ImOfficer, Some("ECU"), "UNHCR", None),
    login("im.bra", Role::ImOfficer, Some("BRA"), "IOM", PT),
    login("manager.nrc", Role::OrganisationManager, Some("COL"), "NRC", None),
    login("manager.crc", Role::OrganisationManager, Some("COL"), "CRC", None),
    login("manager.hias", Role::OrganisationManager, Some("ECU"), "HIAS", None),
    login(
        "manager.encuentros",
        Role::OrganisationManager,
        Some("PER"),
        "ENCUENTROS",
        None,
    ),
    login(
        "manager.caritas",
        Role::OrganisationManager,
        Some("BRA"),
        "Cáritas Brasileira",
        PT,
    ),
    login("enum.cucuta", Role::Enumerator, Some("COL"), "IOM", None),
    login("enum.maicao", Role::Enumerator, Some("COL"), "IOM", None),
    login("enum.ipiales", Role::Enumerator, Some("COL"), "IOM", None),
    login("enum.tulcan", Role::Enumerator, Some("ECU"), "IOM", None),
    login("enum.tumbes", Role::Enumerator, Some("PER"), "IOM", None),
    login("enum.pacaraima", Role::Enumerator, Some("BRA"), "IOM", PT),
    login("enum.arica", Role::Enumerator, Some("CHL"), "IOM", None),
    login("enum.darien", Role::Enumerator, Some("PAN"), "IOM", None),
    login("protection.col", Role::ProtectionOfficer, Some("COL"), "UNHCR", None),
    login("protection.ecu", Role::ProtectionOfficer, Some("ECU"), "HIAS", None),
    login("protection.per", Role::ProtectionOfficer, Some("PER"), "UNHCR", None),
    login("protection.pan", Role::ProtectionOfficer, Some("PAN"), "UNICEF", None),
    login("viewer.echo", Role::Viewer, None, "ECHO", EN),
    login("viewer.col", Role::Viewer, Some("COL"), "URosario", None),
    login("viewer.per", Role::Viewer, Some("PER"), "PUCP", None),
];

const NOMBRES: [&str; 40] = [
    "Ana",
    "Andrea",
    "Camila",
    "Carolina",
    "Daniela",
    "Diana",
    "Gabriela",
    "Isabel",
    "Juliana",
    "Laura",
    "Lucía",
    "Luisa",
    "María",
    "Natalia",
    "Paola",
    "Patricia",
    "Rosa",
    "Sofía",
    "Valentina",
    "Ximena",
    "Alejandro",
    "Andrés",
    "Carlos",
    "Daniel",
    "Diego",
    "Eduardo",
    "Felipe",
    "Fernando",
    "Jorge",
    "José",
    "Juan",
    "Luis",
    "Manuel",
    "Mateo",
    "Miguel",
    "Pablo",
    "Ricardo",
    "Santiago",
    "Sebastián",
    "Tomás",
];

const APELLIDOS: [&str; 40] = [
    "Acosta",
    "Aguilar",
    "Benítez",
    "Cabrera",
    "Castillo",
    "Castro",
    "Chávez",
    "Contreras",
    "Díaz",
    "Espinoza",
    "Flores",
    "García",
    "Gómez",
    "González",
    "Guerrero",
    "Gutiérrez",
    "Hernández",
    "Herrera",
    "Jiménez",
    "López",
    "Martínez",
    "Medina",
    "Mendoza",
    "Morales",
    "Moreno",
    "Muñoz",
    "Navarro",
    "Ortiz",
    "Pérez",
    "Quispe",
    "Ramírez",
    "Ramos",
    "Reyes",
    "Rodríguez",
    "Rojas",
    "Romero",
    "Salazar",
    "Sánchez",
    "Torres",
    "Vargas",
];

const NOMES: [&str; 24] = [
    "Ana",
    "Beatriz",
    "Camila",
    "Fernanda",
    "Gabriela",
    "Juliana",
    "Larissa",
    "Mariana",
    "Patrícia",
    "Renata",
    "Tatiane",
    "Vanessa",
    "André",
    "Bruno",
    "Carlos",
    "Eduardo",
    "Felipe",
    "Gustavo",
    "João",
    "Lucas",
    "Marcelo",
    "Paulo",
    "Rafael",
    "Thiago",
];

const SOBRENOMES: [&str; 24] = [
    "Almeida",
    "Alves",
    "Araújo",
    "Barbosa",
    "Cardoso",
    "Carvalho",
    "Costa",
    "Ferreira",
    "Gomes",
    "Lima",
    "Martins",
    "Melo",
    "Nascimento",
    "Oliveira",
    "Pereira",
    "Ribeiro",
    "Rocha",
    "Santos",
    "Silva",
    "Soares",
    "Souza",
    "Teixeira",
    "Vieira",
    "Moura",
];

/// A demo account, ready to be stored once its organisation's id is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub login: Login,
    pub display_name: String,
    pub email: String,
}

/// Every demo account, named from `rng`. Display names are distinct within one demo.
pub fn users(rng: &mut Rng) -> Vec<DemoUser> {
    let mut taken: Vec<String> = Vec::new();
    LOGINS
        .iter()
        .map(|&login| {
            let display_name = loop {
                let name = synthetic_name(rng, login.language == PT);
                if !taken.contains(&name) {
                    break name;
                }
            };
            taken.push(display_name.clone());
            DemoUser {
                login,
                display_name,
                email: format!("{}@demo.rumbo.invalid", login.username),
            }
        })
        .collect()
}

/// "Nombre Apellido Apellido" as in most of the region; "Nome Sobrenome" in Brazil.
fn synthetic_name(rng: &mut Rng, portuguese: bool) -> String {
    let pick = |rng: &mut Rng, list: &[&'static str]| rng.pick(list).copied().unwrap_or("Demo");
    if portuguese {
        format!("{} {}", pick(rng, &NOMES), pick(rng, &SOBRENOMES))
    } else {
        let first = pick(rng, &NOMBRES);
        let (a, b) = (pick(rng, &APELLIDOS), pick(rng, &APELLIDOS));
        format!("{first} {a} {b}")
    }
}

#[cfg(test)]
mod tests {
    use rumbo_domain::Vocabulary;
    use rumbo_store::users::parse_username;

    use super::*;

    #[test]
    fn every_role_has_a_login_and_usernames_are_valid_and_unique() {
        for role in Role::ALL {
            assert!(LOGINS.iter().any(|l| l.role == *role), "no {} login", role.code());
        }
        let mut names: Vec<String> = LOGINS
            .iter()
            .map(|l| parse_username(l.username).expect("valid username"))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), LOGINS.len());
        assert!(PASSWORD.chars().count() >= rumbo_store::credentials::MIN_PASSWORD_LEN);
    }

    #[test]
    fn names_depend_on_the_seed_only() {
        let a = users(&mut Rng::new(2018));
        assert_eq!(a, users(&mut Rng::new(2018)));
        assert_ne!(a, users(&mut Rng::new(2019)));
        let mut names: Vec<&str> = a.iter().map(|u| u.display_name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), LOGINS.len());
        assert!(a.iter().all(|u| u.email.ends_with(".invalid")));
    }
}
