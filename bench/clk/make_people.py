"""Synthetic registrations of two organisations for the CLK benchmark, deterministic from a seed.

A registers LEFT people, B registers RIGHT people; SHARED of them are registered by both, and
B's copy carries the errors of the field: accents and case dropped, a typo, surnames swapped or
one missing, a compound given name cut short, day and month swapped, the cédula written with or
without `V-` and dots. Writes A.csv and B.csv in the de-duplication format (contract §2) and
truth.csv (`id_a,id_b` for every shared person).

python make_people.py OUT LEFT RIGHT SHARED [SEED]
"""
import csv
import datetime
import random
import sys
import unicodedata

GIVEN_F = ["María", "José", "Ana", "Carmen", "Yusmary", "Daniela", "Luisa", "Andreína", "Yolanda", "Gabriela",
           "Rosa", "Milagros", "Génesis", "Yelitza", "Valentina", "Sofía", "Isabel", "Marisol", "Elena", "Beatriz"]
GIVEN_M = ["José", "Luis", "Carlos", "Jesús", "Juan", "Miguel", "Pedro", "Rafael", "Ángel", "Alejandro",
           "Jorge", "Andrés", "Víctor", "Manuel", "Francisco", "Ramón", "Yohan", "Wilmer", "Eduardo", "Héctor"]
SURNAMES = ["González", "Rodríguez", "Pérez", "Hernández", "García", "Martínez", "López", "Díaz", "Sánchez",
            "Ramírez", "Torres", "Rojas", "Flores", "Rivas", "Mendoza", "Silva", "Castillo", "Moreno", "Romero",
            "Álvarez", "Gutiérrez", "Suárez", "Chacón", "Briceño", "Colmenares", "Quintero", "Marcano", "Salazar",
            "Guerrero", "Medina", "Contreras", "Vargas", "Parra", "Blanco", "Montilla", "Villegas", "Useche",
            "Carrasquel", "Mora", "Peña", "Aponte", "Zambrano", "Ochoa", "Rincón", "Bolívar", "de la Cruz", "del Valle"]


def person(rng):
    sex = rng.choice(["female", "male"])
    names = GIVEN_F if sex == "female" else GIVEN_M
    given = rng.choice(names) if rng.random() < 0.5 else f"{rng.choice(names)} {rng.choice(names)}"
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 70))
    return {
        "given_names": given, "first_surname": rng.choice(SURNAMES), "second_surname": rng.choice(SURNAMES),
        "birth_date": born, "sex": sex, "document": f"V-{rng.randrange(4_000_000, 32_000_000):,}".replace(",", "."),
    }


def plain(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").upper()


def typo(rng, text):
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + rng.choice("aeioulnrs") + text[i + 1:]


def garble(rng, p):
    """B's copy of a person A also registered: one to three errors."""
    q = dict(p)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        if kind == 0:
            q = {k: plain(v) if isinstance(v, str) and k not in ("sex", "document") else v for k, v in q.items()}
        elif kind == 1:
            field = rng.choice(["given_names", "first_surname", "second_surname"])
            q[field] = typo(rng, q[field])
        elif kind == 2:
            q["first_surname"], q["second_surname"] = q["second_surname"], q["first_surname"]
        elif kind == 3:
            q["second_surname"] = ""
        elif kind == 4:
            q["given_names"] = q["given_names"].split(" ")[0]
        elif kind == 5 and q["birth_date"].day <= 12:
            d = q["birth_date"]
            q["birth_date"] = d.replace(month=d.day, day=d.month)
        else:
            q["document"] = q["document"].replace("V-", "").replace(".", "")
    return q


def write(path, prefix, people):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "organisation", "given_names", "first_surname", "second_surname", "birth_date", "sex",
                    "document", "nationality"])
        for i, p in enumerate(people):
            w.writerow([f"{prefix}-{i}", prefix, p["given_names"], p["first_surname"], p["second_surname"],
                        p["birth_date"].isoformat(), p["sex"], p["document"], "VEN"])


def main():
    out, left, right, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 2026)
    a = [person(rng) for _ in range(left)]
    b = [person(rng) for _ in range(right)]
    slots = rng.sample(range(right), shared)
    truth = []
    for k, slot in enumerate(slots):
        b[slot] = garble(rng, a[k])
        truth.append((f"A-{k}", f"B-{slot}"))
    write(f"{out}/A.csv", "A", a)
    write(f"{out}/B.csv", "B", b)
    with open(f"{out}/truth.csv", "w", newline="") as f:
        csv.writer(f).writerows([("id_a", "id_b"), *truth])


if __name__ == "__main__":
    main()
