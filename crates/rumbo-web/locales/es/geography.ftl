# Geografía: países, divisiones administrativas, importación de límites y listas de P-codes
geo-countries-title = Países y divisiones administrativas
geo-countries-intro = Las divisiones administrativas (con sus P-codes) y los lugares que Rumbo tiene de cada país. Los lugares se ubican en las divisiones a partir de los límites.
geo-country = País
geo-adm1 = Nivel 1
geo-adm2 = Nivel 2
geo-adm3 = Nivel 3
geo-with-boundary = Con límite
geo-not-in-response = fuera del plan de respuesta
geo-level = Nivel
geo-level-n = Nivel administrativo { $level }
geo-search = Nombre o P-code
geo-pcode = P-code
geo-name = Nombre
geo-parent = Superior
geo-boundary = Límite
geo-no-boundary = sin límite
geo-source = Importado de
geo-name-es = Nombre en español
geo-name-en = Nombre en inglés
geo-name-pt = Nombre en portugués
geo-no-areas = Aún no hay divisiones administrativas. Un oficial de gestión de información puede importar los límites COD-AB o una lista de P-codes.
geo-children = { $count ->
    [one] { $count } división administrativa dentro
   *[other] { $count } divisiones administrativas dentro
}
geo-locations-inside = { $count ->
    [one] { $count } lugar dentro
   *[other] { $count } lugares dentro
}
geo-open-map = Abrir el mapa
geo-export-csv = Descargar CSV (HXL)
geo-export-geojson = Descargar GeoJSON
geo-pages = Páginas
geo-import-link = Importar límites o P-codes
geo-import-title = Importar límites o P-codes
geo-import-file = Archivo
geo-import-format = Formato
geo-import-format-auto = Según el nombre del archivo
geo-import-format-geojson = Límites (GeoJSON, COD-AB)
geo-import-format-csv = Lista de P-codes (CSV)
geo-import-level-csv = Indicado en el archivo (listas de P-codes)
geo-import-country-file = Indicado en el archivo
geo-import-submit = Importar
geo-import-formats = Archivos aceptados
geo-import-help-geojson = Límites: un FeatureCollection GeoJSON de un solo nivel administrativo, con propiedades COD-AB como ADM2_PCODE, ADM2_ES, ADM2_EN, ADM2_PT, el ADM1_PCODE del nivel superior y ADM0_PCODE. Polígonos o multipolígonos en longitud y latitud (WGS 84). Elija el nivel.
geo-import-help-csv = Listas de P-codes: un CSV en UTF-8 con las columnas pcode, level, parent_pcode, country, name_es, name_en, name_pt, o una fila por división del nivel más bajo con adm1_pcode, adm1_name_es, adm2_pcode... Puede llevar una fila de etiquetas HXL bajo el encabezado.
geo-import-help-all-or-nothing = Un archivo se importa entero o no se importa: si algo está mal, se indica cada problema y dónde está, y no se cambia nada.
geo-import-done = Importado: { $created } divisiones nuevas, { $updated } reemplazadas; { $resolved } lugares reubicados.
geo-problem-where = Dónde
geo-problem-what = Problema

# Lugares
loc-new = Nuevo lugar
loc-edit = Editar
loc-code = Código
loc-code-help = Corto y estable, como COL-CUC-SB: letras, números, - y _.
loc-name = Nombre
loc-kind = Tipo
loc-lat = Latitud
loc-lon = Longitud
loc-position = Latitud, longitud
loc-organisation = Organización
loc-notes = Notas
loc-admin-area = División administrativa (P-code)
loc-admin-areas = Divisiones administrativas
loc-unresolved = Fuera de todos los límites que tiene Rumbo.
loc-updated = Último cambio
loc-inactive = desactivado
loc-show-inactive = Incluir desactivados
loc-saved = Guardado.
loc-status = Estado
loc-deactivate = Desactivar
loc-deactivate-help = Un lugar desactivado sale de las listas y los mapas, pero conserva su código y todo lo registrado allí.
loc-reactivate = Reactivar
loc-delete = Eliminar definitivamente
loc-delete-help = Elimine solo un lugar creado por error: uno al que ya se refieren datos no se puede eliminar.
loc-import-link = Importar una lista
loc-import-title = Importar lugares
loc-import-help = Un CSV en UTF-8 con las columnas code, name, kind (o type), country, lat, lon y, si se quiere, organisation (su sigla), notes y active. Puede llevar una fila de etiquetas HXL bajo el encabezado; se aceptan comas decimales.
loc-import-help-codes = Una fila con un código nuevo crea un lugar; una fila con un código conocido reemplaza ese lugar.
loc-error-code = Indique un código de 2 a 40 letras, números, - o _, como COL-CUC-SB.
loc-error-code-taken = Otro lugar ya tiene este código.
loc-error-name = Indique un nombre de 200 caracteres como máximo.
loc-error-kind = Elija un tipo de la lista.
loc-error-country = Elija un país de la lista.
loc-error-lat = Indique la latitud en grados decimales, entre -90 y 90, como 7.8167.
loc-error-lon = Indique la longitud en grados decimales, entre -180 y 180, como -72.4667.
loc-error-organisation-id = Elija una organización de la lista.
loc-error-notes = Las notas pueden tener 2000 caracteres como máximo.
loc-import-done = Importado: { $created } lugares nuevos, { $updated } reemplazados.

# Mapa
map-all-countries = Todos los países
map-show = Mostrar
map-legend = Tipos de lugar
map-open = Abrir
map-failed = No se pudieron cargar las capas del mapa.
map-empty = Aún no hay nada que mostrar aquí.
map-note = Los límites se dibujan simplificados en el mapa; las descargas los incluyen completos. No se carga un mapa de fondo: Rumbo funciona sin conexión.
