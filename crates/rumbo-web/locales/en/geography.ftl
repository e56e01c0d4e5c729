# Geography: countries, admin areas, imports of boundaries and P-code lists
geo-countries-title = Countries and admin areas
geo-countries-intro = The admin areas (with their P-codes) and locations Rumbo holds for each country. Locations are placed in admin areas from the boundaries.
geo-country = Country
geo-adm1 = Admin 1
geo-adm2 = Admin 2
geo-adm3 = Admin 3
geo-with-boundary = With boundary
geo-not-in-response = not in the response plan
geo-level = Level
geo-level-n = Admin level { $level }
geo-search = Name or P-code
geo-pcode = P-code
geo-name = Name
geo-parent = Parent
geo-boundary = Boundary
geo-no-boundary = no boundary
geo-source = Imported from
geo-name-es = Name in Spanish
geo-name-en = Name in English
geo-name-pt = Name in Portuguese
geo-no-areas = No admin areas yet. An information management officer can import the COD-AB boundaries or a P-code list.
geo-children = { $count ->
    [one] { $count } admin area inside
   *[other] { $count } admin areas inside
}
geo-locations-inside = { $count ->
    [one] { $count } location inside
   *[other] { $count } locations inside
}
geo-open-map = Open the map
geo-export-csv = Download CSV (HXL)
geo-export-geojson = Download GeoJSON
geo-pages = Pages
geo-import-link = Import boundaries or P-codes
geo-import-title = Import boundaries or P-codes
geo-import-file = File
geo-import-format = Format
geo-import-format-auto = From the file name
geo-import-format-geojson = Boundaries (GeoJSON, COD-AB)
geo-import-format-csv = P-code list (CSV)
geo-import-level-csv = Given in the file (P-code lists)
geo-import-country-file = Given in the file
geo-import-submit = Import
geo-import-formats = Accepted files
geo-import-help-geojson = Boundaries: a GeoJSON FeatureCollection of one admin level, with COD-AB properties such as ADM2_PCODE, ADM2_ES, ADM2_EN, ADM2_PT, the parent's ADM1_PCODE and ADM0_PCODE. Polygons or MultiPolygons in longitude and latitude (WGS 84). Choose the level.
geo-import-help-csv = P-code lists: a UTF-8 CSV with the columns pcode, level, parent_pcode, country, name_es, name_en, name_pt, or one row per lowest area with adm1_pcode, adm1_name_es, adm2_pcode... An HXL hashtag row may follow the header.
geo-import-help-all-or-nothing = A file is imported whole or not at all: when something is wrong, every problem is listed with where it is, and nothing is changed.
geo-import-done = Imported: { $created } new admin areas, { $updated } replaced; { $resolved } locations placed again.
geo-problem-where = Where
geo-problem-what = Problem

# Locations
loc-new = New location
loc-edit = Edit
loc-code = Code
loc-code-help = Short and stable, such as COL-CUC-SB: letters, digits, - and _.
loc-name = Name
loc-kind = Type
loc-lat = Latitude
loc-lon = Longitude
loc-position = Latitude, longitude
loc-organisation = Organisation
loc-notes = Notes
loc-admin-area = Admin area (P-code)
loc-admin-areas = Admin areas
loc-unresolved = Not inside any boundary Rumbo holds.
loc-updated = Last changed
loc-inactive = deactivated
loc-show-inactive = Deactivated too
loc-saved = Saved.
loc-status = Status
loc-deactivate = Deactivate
loc-deactivate-help = A deactivated location leaves lists and maps but keeps its code and everything recorded there.
loc-reactivate = Reactivate
loc-delete = Delete for good
loc-delete-help = Delete only a location created by mistake: one that data already refers to cannot be deleted.
loc-import-link = Import a list
loc-import-title = Import locations
loc-import-help = A UTF-8 CSV with the columns code, name, kind (or type), country, lat, lon, and optionally organisation (its acronym), notes and active. An HXL hashtag row may follow the header; decimal commas are accepted.
loc-import-help-codes = A row whose code is new creates a location; a row with a known code replaces that location.
loc-error-code = Give a code of 2 to 40 letters, digits, - or _, such as COL-CUC-SB.
loc-error-code-taken = Another location already has this code.
loc-error-name = Give a name of at most 200 characters.
loc-error-kind = Choose a type from the list.
loc-error-country = Choose a country from the list.
loc-error-lat = Give the latitude in decimal degrees, between -90 and 90, such as 7.8167.
loc-error-lon = Give the longitude in decimal degrees, between -180 and 180, such as -72.4667.
loc-error-organisation-id = Choose an organisation from the list.
loc-error-notes = Notes may hold at most 2000 characters.
loc-import-done = Imported: { $created } new locations, { $updated } replaced.

# Map
map-all-countries = All countries
map-show = Show
map-legend = Location types
map-open = Open
map-failed = The map layers could not be loaded.
map-empty = Nothing to show here yet.
map-note = Boundaries are drawn simplified for the map; downloads carry them whole. No background map is loaded: Rumbo works offline.
