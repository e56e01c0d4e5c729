"""Writes a synthetic registration file in Rumbo's import format (CSV, one row per person,
rows of a household together), deterministic: `python3 make_registration_data.py PEOPLE OUT.csv`.

Households of 1 to 7 people at the demo's registration desks; Hispanic names (given names,
first and second surname); a unique Venezuelan cédula, passport or PEP for most adults and a
birth certificate for some children; specific needs consistent with age and sex; Washington
Group answers for some; living conditions. Every row is valid, so the import writes them all.
"""
import csv
import random
import sys

GIVEN_F = ["María", "Ana", "Luisa", "Carmen", "Yusmary", "Daniela", "Gabriela", "Andreína", "Rosa", "Valentina",
           "Isabel", "Mariangel", "Génesis", "Yelitza", "Oriana", "Paola", "Sofía", "Victoria"]
GIVEN_M = ["José", "Luis", "Carlos", "Jesús", "Juan", "Miguel", "Ángel", "Jorge", "Pedro", "Rafael", "Yorman",
           "Daniel", "Alejandro", "Víctor", "Eduardo", "Richard", "Andrés", "Samuel"]
SURNAMES = ["González", "Rodríguez", "Pérez", "Hernández", "García", "Martínez", "López", "Díaz", "Sánchez",
            "Ramírez", "Romero", "Torres", "Rojas", "Flores", "Mendoza", "Castillo", "Medina", "Suárez", "Morales",
            "Gutiérrez", "Contreras", "Chacón", "Peña", "Vargas", "Moreno", "Bolívar", "Parra", "Colmenares"]
DESKS = ["COL-CUC-RD", "COL-CUC-RD-OIM", "COL-MAI-RD-OIM", "COL-MAI-RD-ACNUR", "COL-IPI-RD-OIM", "COL-BOG-RD",
         "ECU-TUL-RD-OIM", "ECU-UIO-RD", "ECU-UIO-RD-HIAS", "PER-TUM-RD-OIM", "PER-LIM-RD", "PER-LIM-RD-ACNUR",
         "BRA-PAC-RD-OIM", "CHL-ARI-RD-OIM", "PAN-DAR-RD-OIM", "PAN-DAR-RD-UNICEF"]
GROUPS = ["in_destination"] * 6 + ["in_transit"] * 2 + ["pendular", "returnee"]
CONDITIONS = [("meals", ["one_or_less", "two_or_more"]), ("shelter", ["owned_or_rented", "hosted_or_collective", "spontaneous_or_squatting"]),
              ("water", ["safe", "unsafe"]), ("sanitation", ["private", "shared", "none"]), ("electricity", ["yes", "no"]),
              ("work", ["could_work", "could_not_work"]), ("coping", ["none", "stress", "extreme"]), ("safety", ["safe", "unsafe"]),
              ("internet", ["yes", "no"]), ("isolation", ["connected", "isolated"])]
WG = ["wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_self_care", "wg_communication"]
COLUMNS = (["household", "desk", "registration_date", "population_group", "arrival_date", "previous_country",
            "consent_registration", "consent_sharing", "consent_referral"] + [c for c, _ in CONDITIONS]
           + ["relationship", "given_names", "first_surname", "second_surname", "sex", "birth_date", "nationality",
              "phone", "needs"] + WG + ["document_type", "document_number", "document_expiry"])


def main():
    people, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(4)
    written, household, cedula = 0, 0, 10_000_000
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        while written < people:
            household += 1
            size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7]), people - written)
            year = rng.choice([2024, 2025, 2026])
            registered = f"{year}-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}"
            arrival = f"{year - rng.randint(0, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if arrival > registered:
                arrival = registered
            shared = [f"B{household:07d}", rng.choice(DESKS), registered, rng.choice(GROUPS), arrival, "VEN",
                      "yes", rng.choice(["yes", "yes", "no"]), rng.choice(["yes", "no"])]
            shared += [rng.choice(answers) for _, answers in CONDITIONS]
            surname = rng.choice(SURNAMES)
            for i in range(size):
                relationship = "head" if i == 0 else ("spouse" if i == 1 and size > 2 else "child")
                age = rng.randint(20, 75) if relationship != "child" else rng.randint(0, 19)
                female = rng.random() < (0.55 if relationship == "head" else 0.5)
                if relationship == "spouse":
                    female = not last_female
                last_female = female if i == 0 else last_female
                given = rng.choice(GIVEN_F if female else GIVEN_M)
                if rng.random() < 0.4:
                    given += " " + rng.choice(GIVEN_F if female else GIVEN_M)
                first = surname if relationship == "child" else rng.choice(SURNAMES)
                second = rng.choice(SURNAMES)
                birth = f"{2026 - age - 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                needs = []
                if rng.random() < 0.05:
                    needs.append("SM")
                if age >= 60 and rng.random() < 0.3:
                    needs.append("ER")
                if female and 15 <= age <= 45 and rng.random() < 0.08:
                    needs.append("PL")
                if age < 16 and rng.random() < 0.05:
                    needs.append("CR")
                wg = [""] * 6
                if rng.random() < 0.3:
                    wg = [rng.choice(["none", "none", "none", "some", "a_lot"]) for _ in WG]
                if age >= 18 or rng.random() < 0.3:
                    kind = rng.choice(["venezuelan_cedula"] * 6 + ["passport", "pep"])
                    cedula += 1
                    if kind == "venezuelan_cedula":
                        number = f"V-{cedula // 1_000_000}.{cedula // 1000 % 1000:03d}.{cedula % 1000:03d}"
                    elif kind == "passport":
                        number = f"{cedula:09d}"
                    else:
                        number = f"{cedula:015d}"
                    document = [kind, number, f"{2027 + rng.randint(0, 8)}-{rng.randint(1, 12):02d}-01"]
                else:
                    document = ["", "", ""]
                phone = f"+58 41{rng.randint(2, 6)} {rng.randint(1000000, 9999999)}" if age >= 18 and rng.random() < 0.7 else ""
                w.writerow(shared + [relationship, given, first, second, "female" if female else "male", birth, "VEN",
                                     phone, ";".join(needs)] + wg + document)
                written += 1


main()
