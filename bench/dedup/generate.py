"""Synthetic registrations with known truth, for the de-duplication benchmark.

    python generate.py RECORDS OUT.csv [SEED]

Writes the CSV of linkage-contract §2 (id, organisation, given_names, first_surname,
second_surname, birth_date, sex, document, nationality, household) plus `person`, the true
person. `household` is the organisation's own case number of the household as registered that
time: a new number for every registration, so it links nothing across organisations, nor across
two registrations by one (only the members listed together share it).

What it models, and why:
- households (head, often a spouse, children) — children carry the father's first surname and
  the mother's first surname, so siblings share both surnames, most children have no document,
  twins share a birth date, and some sons carry their father's given names: the hard negatives
  that make precision mean something;
- Zipf-distributed names (González and María are common, Uzcátegui is not) — the reason for
  term-frequency adjustment; compound given names, particles (de la Cruz);
- a household is registered by one to three of six organisations (about a third of people more
  than once), each with its own habits (upper case, accents dropped, no second surname, its own
  way of writing a cédula), and every record gets the errors of a registration desk: accents,
  case, particles dropped, compound names cut short, surnames swapped or one missing, typos,
  V-/E- prefixes, dots and dashes, a wrong digit, no document, day and month swapped, the year
  off by one, fields left empty.
Deterministic from the seed (numpy's PCG64 draws, no hash-order dependence).
"""

import bisect
import datetime
import hashlib
import sys

import numpy as np

from names import FEMALE, MALE, ORGANISATIONS, SURNAMES, unique, words

YEAR = 2025
ACCENTS = str.maketrans("áéíóúÁÉÍÓÚüÜñÑ", "aeiouAEIOUuUnN")
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Habits per organisation: case style, chance of dropping accents, of leaving the second surname
# out, of a typo per name, of swapping day and month, and how it writes a Venezuelan cédula.
STYLES = {
    "UNHCR": dict(case="title", accents=0.2, no_second=0.05, typo=0.03, swap=0.02, doc="V-12.345.678"),
    "IOM": dict(case="upper", accents=0.9, no_second=0.05, typo=0.04, swap=0.02, doc="V12345678"),
    "NRC": dict(case="title", accents=0.5, no_second=0.30, typo=0.04, swap=0.03, doc="12345678"),
    "HIAS": dict(case="mixed", accents=0.6, no_second=0.10, typo=0.05, swap=0.02, doc="V-12345678"),
    "CARITAS": dict(case="title", accents=0.5, no_second=0.10, typo=0.12, swap=0.06, doc="12.345.678"),
    "IFRC": dict(case="upper", accents=0.5, no_second=0.08, typo=0.04, swap=0.02, doc="V 12345678"),
}
DOC_FORMATS = ["V-12.345.678", "V12345678", "12345678", "V-12345678", "12.345.678", "V 12345678", "12-345-678"]


def zipf(n, s):
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def draws(rng):
    """Uniform numbers drawn in blocks from numpy, handed out one at a time at the cost of next()."""

    def blocks():
        while True:
            yield from rng.random(1 << 20).tolist()

    return blocks().__next__


class People:
    """The true population: households of people with their true names, dates and documents."""

    def __init__(self, rng, u):
        self.u = u
        self.surnames = unique(words(SURNAMES))
        self.female, self.male = unique(words(FEMALE)), unique(words(MALE))
        self.p_surname = np.cumsum(zipf(len(self.surnames), 0.7)).tolist()
        self.p_female = np.cumsum(zipf(len(self.female), 0.9)).tolist()
        self.p_male = np.cumsum(zipf(len(self.male), 0.9)).tolist()
        self.rng = rng

    def pick(self, names, cum):
        return names[min(bisect.bisect_right(cum, self.u()), len(names) - 1)]

    def given(self, sex):
        names, cum = (self.female, self.p_female) if sex == "female" else (self.male, self.p_male)
        first = self.pick(names, cum)
        if self.u() < 0.45:  # compound: "María José", "José Luis"
            second = "María" if sex == "male" and first == "José" and self.u() < 0.3 else self.pick(names, cum)
            if second != first:
                return f"{first} {second}"
        return first

    def date(self, year):
        return (datetime.date(year, 1, 1) + datetime.timedelta(days=int(self.u() * 365))).isoformat()

    def document(self, year, colombian):
        if YEAR - year < 10 or (YEAR - year < 18 and self.u() < 0.5):
            return None  # children: no cédula yet, or none brought
        if colombian:
            return str(1_000_000_000 + int(self.u() * 150_000_000)) if year >= 1975 else str(int(self.u() * 90_000_000) + 1_000_000)
        number = max(1_000_000, min(33_999_999, (year - 1930) * 360_000 + int(self.u() * 360_000)))
        return ("E" if self.u() < 0.02 else "V") + str(number)

    def household(self):
        """One household as a list of people (dicts with their true values)."""
        u = self.u
        size = 1 + bisect.bisect_right(HOUSEHOLD_SIZES, u())
        colombian = u() < 0.12
        nat = "COL" if colombian else "VEN"
        head_sex = "male" if u() < 0.45 else "female"
        head_year = 1955 + int(u() * 46)
        head = self.person(head_sex, self.pick(self.surnames, self.p_surname), self.pick(self.surnames, self.p_surname), head_year, nat, colombian)
        people = [head]
        father = mother = None
        if size >= 2 and u() < 0.75:
            other = "female" if head_sex == "male" else "male"
            spouse_nat = nat if u() < 0.9 else ("VEN" if colombian else "COL")
            spouse = self.person(other, self.pick(self.surnames, self.p_surname), self.pick(self.surnames, self.p_surname),
                                 head_year + int(u() * 11) - 5, spouse_nat, spouse_nat == "COL")
            people.append(spouse)
            father, mother = (head, spouse) if head_sex == "male" else (spouse, head)
        elif head_sex == "male":
            father = head
        else:
            mother = head
        father_surname = father["s1"] if father else self.pick(self.surnames, self.p_surname)
        mother_surname = mother["s1"] if mother else self.pick(self.surnames, self.p_surname)
        mother_year = (mother or head)["year"]
        previous = None
        while len(people) < size:
            sex = "male" if u() < 0.5 else "female"
            year = mother_year + 18 + int(u() * max(1, min(22, YEAR - mother_year - 17)))
            child = self.person(sex, father_surname, mother_surname, year, nat, colombian)
            if previous and u() < 0.06:  # twins: same birth date, same surnames
                child["year"], child["dob"] = previous["year"], previous["dob"]
                child["doc"] = None if previous["doc"] is None else child["doc"]
            if sex == "male" and father and u() < 0.12:  # the son named after his father
                child["given"] = father["given"]
            people.append(child)
            previous = child
        return people

    def person(self, sex, s1, s2, year, nat, colombian):
        return dict(sex=sex, given=self.given(sex), s1=s1, s2=s2, year=year, dob=self.date(year),
                    doc=self.document(year, colombian), nat=nat)


HOUSEHOLD_SIZES = np.cumsum([0.14, 0.16, 0.21, 0.22, 0.15]).tolist()  # 1..5 members, else 6


class Desk:
    """Writes one registration of a true person the way a given organisation's desk would."""

    def __init__(self, u):
        self.u = u

    def typo(self, s):
        if len(s) < 3:
            return s
        u = self.u
        i = 1 + int(u() * (len(s) - 2))
        kind = int(u() * 4)
        if kind == 0:
            return s[:i] + LETTERS[int(u() * 26)] + s[i:]
        if kind == 1:
            return s[:i] + s[i + 1:]
        if kind == 2:
            return s[:i] + LETTERS[int(u() * 26)] + s[i + 1:]
        return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]

    def spell(self, s, style):
        if not s:
            return s
        u = self.u
        if u() < style["typo"]:
            s = self.typo(s)
        if u() < style["accents"]:
            s = s.translate(ACCENTS)
        case = style["case"]
        if case == "mixed":
            case = ("title", "upper", "lower")[int(u() * 3)] if u() < 0.5 else "title"
        if case == "upper":
            return s.upper()
        if case == "lower":
            return s.lower()
        return s

    def document(self, doc, style):
        u = self.u
        if doc is None or u() < 0.10:
            return ""
        prefix, digits = (doc[0], doc[1:]) if doc[0] in "VE" else ("", doc)
        if u() < 0.02:  # one digit mistyped
            i = int(u() * len(digits))
            digits = digits[:i] + str((int(digits[i]) + 1 + int(u() * 9)) % 10) + digits[i + 1:]
        form = style["doc"] if u() < 0.7 else DOC_FORMATS[int(u() * len(DOC_FORMATS))]
        if not prefix:  # Colombian cédula: dots or not
            return f"{int(digits):,}".replace(",", ".") if "." in form else digits
        if "." in form or "-" in form[2:]:
            sep = "." if "." in form else "-"
            digits = f"{int(digits):,}".replace(",", sep)
        if form[0].isdigit():
            return digits
        return prefix + form[1:form.index("1")] + digits

    def birth_date(self, dob, style):
        u = self.u
        if u() < 0.03:
            return ""
        y, m, d = dob.split("-")
        if u() < style["swap"] and int(d) <= 12 and d != m:
            m, d = d, m
        if u() < 0.02:
            y = str(int(y) + (1 if u() < 0.5 else -1))
            if m == "02" and d == "29":  # 29 February a year off is not a date; the desk would write the 28th
                d = "28"
        return f"{y}-{m}-{d}"

    def record(self, p, org):
        u, style = self.u, STYLES[org]
        given, s1, s2 = p["given"], p["s1"], p["s2"]
        if " " in given and u() < 0.25:  # compound given name cut short
            given = given.split(" ")[0] if u() < 0.85 else given.split(" ")[1]
        if s1.startswith(("De ", "Del ", "Da ")) and u() < 0.35:
            s1 = s1.split(" ")[-1]
        if s2.startswith(("De ", "Del ", "Da ")) and u() < 0.35:
            s2 = s2.split(" ")[-1]
        r = u()
        if r < 0.04:
            s1, s2 = s2, s1
        elif r < 0.06:  # only the second surname was taken, as the first
            s1, s2 = s2, ""
        elif u() < style["no_second"]:
            s2 = ""
        return [org, self.spell(given, style), self.spell(s1, style), self.spell(s2, style),
                self.birth_date(p["dob"], style), "" if u() < 0.03 else p["sex"],
                self.document(p["doc"], style), "" if u() < 0.05 else p["nat"]]


REGISTRATIONS = np.cumsum([0.66, 0.25]).tolist()  # a household registered once, twice, three times


def generate(n, seed):
    rng = np.random.default_rng(seed)
    u = draws(rng)
    people, desk = People(rng, u), Desk(u)
    rows, person_id, registration = [], 0, 0
    while len(rows) < n:
        household = people.household()
        ids = list(range(person_id, person_id + len(household)))
        person_id += len(household)
        times = 1 + bisect.bisect_right(REGISTRATIONS, u())
        orgs = []
        for t in range(times):
            org = ORGANISATIONS[int(u() * len(ORGANISATIONS))]
            while org in orgs and u() < 0.9:  # mostly a different organisation; sometimes the same twice
                org = ORGANISATIONS[int(u() * len(ORGANISATIONS))]
            orgs.append(org)
            # Hashed, not drawn: the main draws, hence every other column, stay as they were.
            case = hashlib.sha256(f"{seed}:{registration}".encode()).hexdigest()[:10]
            registration += 1
            for pid, p in zip(ids, household):
                if t > 0 and u() < 0.1:  # not every member comes back
                    continue
                # One string per record: a million small lists would cost the generator 0.7 GB.
                rows.append(",".join(desk.record(p, org)) + f",{case},P{pid:07d}")
    rows = rows[:n]
    order = rng.permutation(len(rows))  # no tool gets duplicates side by side for free
    return (f"R{i:07d},{rows[j]}" for i, j in enumerate(order))


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    rows = generate(n, seed)
    # No field can hold a comma or a quote (names, dates, codes), so lines are joined, not quoted.
    with open(out, "w", encoding="utf-8") as f:
        f.write("id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality,household,person\n")
        f.writelines(line + "\n" for line in rows)


if __name__ == "__main__":
    main()
