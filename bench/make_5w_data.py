"""Writes a synthetic 5W file in R4V's template (the 30 columns of ActivityInfo's export) with
N rows, and the reference tables the quality rules need (admin-1 areas, partners). Seeded: the
same N always gives the same files. About 8% of rows break a rule, as real reports do.

python3 make_5w_data.py N REGISTRY.csv OUT_DIR
"""
import csv
import random
import sys

n, registry_path, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(2018)

COUNTRIES = {
    "Colombia": ("COL", ["Antioquia", "Atlántico", "Bogotá D.C.", "La Guajira", "Nariño", "Norte de Santander", "Santander", "Valle del Cauca"]),
    "Peru": ("PER", ["Lima", "Arequipa", "La Libertad", "Piura", "Tumbes", "Cusco"]),
    "Ecuador": ("ECU", ["Pichincha", "Guayas", "Carchi", "Manabí", "El Oro", "Azuay"]),
    "Brazil": ("BRA", ["Roraima", "Amazonas", "São Paulo", "Paraná", "Santa Catarina"]),
    "Mexico": ("MEX", ["Nuevo León", "Ciudad de México", "Chiapas", "Jalisco", "Querétaro", "San Luis Potosí"]),
    "Panama": ("PAN", ["Panamá", "Darién", "Chiriquí", "Colón"]),
}
PARTNERS = [(f"ORG{i:02d}", f"Partner organisation number {i}") for i in range(1, 41)]

with open(registry_path, encoding="utf-8") as f:
    INDICATORS = list(csv.DictReader(f))

with open(f"{out}/admin1.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["iso3", "pcode", "name"])
    for country, (iso3, names) in COUNTRIES.items():
        for i, name in enumerate(names, 1):
            w.writerow([iso3, f"{iso3[:2]}{i:02d}", name])
with open(f"{out}/partners.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["acronym", "name"])
    w.writerows(PARTNERS)

HEADER = ["Country", "Admin1", "Admin2", "Appealing_org", "Implementation", "Implementing_partner", "Month",
          "Subsector", "Indicator", "Activity_Name", "Activity_Description", "RMRPActivity", "CVA", "Value",
          "Delivery_mechanism", "Quantity_output", "Total_monthly", "New_beneficiaries", "IN_DESTINATION",
          "IN_TRANSIT", "Host_Communities", "PENDULARS", "Returnees", "Girls", "Boys", "Women", "Men",
          "Other_under", "Other_above", "Platform"]


def split(total, parts):
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


with open(f"{out}/5w.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(HEADER)
    countries = list(COUNTRIES.items())
    for _ in range(n):
        country, (iso3, admin1s) = countries[rng.randrange(len(countries))]
        admin1 = admin1s[rng.randrange(len(admin1s))]
        acronym, name = PARTNERS[rng.randrange(len(PARTNERS))]
        ind = INDICATORS[rng.randrange(len(INDICATORS))]
        kind = ind["kind"]
        cva = ind["sector_code"] == "multipurpose_cash" or rng.random() < 0.1
        new = rng.randint(1, 400)
        total = new + rng.randint(0, new)
        pops = split(new, 3) + [0, 0]
        agd = split(new, 4) + [0, 0]
        row = {
            "Country": country, "Admin1": admin1, "Admin2": "",
            "Appealing_org": acronym if rng.random() < 0.5 else f"{name} ({acronym})",
            "Implementation": "No", "Implementing_partner": "", "Month": f"2024-{rng.randint(1, 12):02d}",
            "Subsector": ind["sector_en"] if rng.random() < 0.7 else ind["sector_es"],
            "Indicator": ind["indicator_en"], "Activity_Name": "Activity", "Activity_Description": "",
            "RMRPActivity": "Yes", "CVA": "Yes" if cva else "No",
            "Value": str(new * 50) if cva else "", "Delivery_mechanism": "Cash transfer" if cva else "",
            "Quantity_output": "", "Total_monthly": "", "New_beneficiaries": "",
            "Platform": country,
        }
        for key in ["IN_DESTINATION", "IN_TRANSIT", "Host_Communities", "PENDULARS", "Returnees",
                    "Girls", "Boys", "Women", "Men", "Other_under", "Other_above"]:
            row[key] = "0"
        if kind == "direct_assistance":
            row["Total_monthly"], row["New_beneficiaries"] = str(total), str(new)
            for key, v in zip(["IN_DESTINATION", "IN_TRANSIT", "Host_Communities", "PENDULARS", "Returnees"], pops):
                row[key] = str(v)
            for key, v in zip(["Girls", "Boys", "Women", "Men", "Other_under", "Other_above"], agd):
                row[key] = str(v)
        elif kind == "capacity_building":
            row["Total_monthly"] = str(total)
        else:
            row["Quantity_output"] = str(rng.randint(1, 50))
        # The mistakes partners make, each in about 1% of reports.
        mistake = rng.randrange(100)
        if mistake == 0:
            row["Admin1"] = "Sin especificar"
        elif mistake == 1:
            row["Admin1"] = admin1.upper()
        elif mistake == 2:
            row["Appealing_org"] = "Unknown Relief"
        elif mistake == 3:
            row["Implementation"] = ""
        elif mistake == 4:
            row["Implementation"], row["Implementing_partner"] = "Yes", "Somebody A.C."
        elif mistake == 5:
            row["Month"] = ""
        elif mistake == 6:
            row["Indicator"] = INDICATORS[0]["indicator_en"] if ind["sector_code"] != "education" else INDICATORS[-1]["indicator_en"]
        elif mistake == 7 and row["CVA"] == "Yes":
            row["Value"] = ""
        elif mistake == 8 and kind == "direct_assistance":
            row["Girls"] = str(int(row["Girls"]) + 1)
        elif mistake == 9 and kind == "direct_assistance":
            row["Total_monthly"] = str(max(new - 1, 0))
        elif mistake == 10:
            row["Admin2"] = "Somewhere"
        w.writerow([row[h] for h in HEADER])
