# Geografia: países, divisões administrativas, importação de limites e listas de P-codes
geo-countries-title = Países e divisões administrativas
geo-countries-intro = As divisões administrativas (com seus P-codes) e os locais que o Rumbo tem de cada país. Os locais são situados nas divisões a partir dos limites.
geo-country = País
geo-adm1 = Nível 1
geo-adm2 = Nível 2
geo-adm3 = Nível 3
geo-with-boundary = Com limite
geo-not-in-response = fora do plano de resposta
geo-level = Nível
geo-level-n = Nível administrativo { $level }
geo-search = Nome ou P-code
geo-pcode = P-code
geo-name = Nome
geo-parent = Superior
geo-boundary = Limite
geo-no-boundary = sem limite
geo-source = Importado de
geo-name-es = Nome em espanhol
geo-name-en = Nome em inglês
geo-name-pt = Nome em português
geo-no-areas = Ainda não há divisões administrativas. Um oficial de gestão de informação pode importar os limites COD-AB ou uma lista de P-codes.
geo-children = { $count ->
    [one] { $count } divisão administrativa dentro
   *[other] { $count } divisões administrativas dentro
}
geo-locations-inside = { $count ->
    [one] { $count } local dentro
   *[other] { $count } locais dentro
}
geo-open-map = Abrir o mapa
geo-export-csv = Baixar CSV (HXL)
geo-export-geojson = Baixar GeoJSON
geo-pages = Páginas
geo-import-link = Importar limites ou P-codes
geo-import-title = Importar limites ou P-codes
geo-import-file = Arquivo
geo-import-format = Formato
geo-import-format-auto = Pelo nome do arquivo
geo-import-format-geojson = Limites (GeoJSON, COD-AB)
geo-import-format-csv = Lista de P-codes (CSV)
geo-import-level-csv = Indicado no arquivo (listas de P-codes)
geo-import-country-file = Indicado no arquivo
geo-import-submit = Importar
geo-import-formats = Arquivos aceitos
geo-import-help-geojson = Limites: um FeatureCollection GeoJSON de um só nível administrativo, com propriedades COD-AB como ADM2_PCODE, ADM2_ES, ADM2_EN, ADM2_PT, o ADM1_PCODE do nível superior e ADM0_PCODE. Polígonos ou multipolígonos em longitude e latitude (WGS 84). Escolha o nível.
geo-import-help-csv = Listas de P-codes: um CSV em UTF-8 com as colunas pcode, level, parent_pcode, country, name_es, name_en, name_pt, ou uma linha por divisão do nível mais baixo com adm1_pcode, adm1_name_es, adm2_pcode... Pode ter uma linha de etiquetas HXL abaixo do cabeçalho.
geo-import-help-all-or-nothing = Um arquivo é importado inteiro ou não é importado: se algo estiver errado, cada problema é indicado com onde está, e nada é alterado.
geo-import-done = Importado: { $created } divisões novas, { $updated } substituídas; { $resolved } locais situados de novo.
geo-problem-where = Onde
geo-problem-what = Problema

# Locais
loc-new = Novo local
loc-edit = Editar
loc-code = Código
loc-code-help = Curto e estável, como COL-CUC-SB: letras, números, - e _.
loc-name = Nome
loc-kind = Tipo
loc-lat = Latitude
loc-lon = Longitude
loc-position = Latitude, longitude
loc-organisation = Organização
loc-notes = Notas
loc-admin-area = Divisão administrativa (P-code)
loc-admin-areas = Divisões administrativas
loc-unresolved = Fora de todos os limites que o Rumbo tem.
loc-updated = Última alteração
loc-inactive = desativado
loc-show-inactive = Incluir desativados
loc-saved = Salvo.
loc-status = Situação
loc-deactivate = Desativar
loc-deactivate-help = Um local desativado sai das listas e dos mapas, mas mantém seu código e tudo o que foi registrado nele.
loc-reactivate = Reativar
loc-delete = Excluir definitivamente
loc-delete-help = Exclua apenas um local criado por engano: um local a que dados já se referem não pode ser excluído.
loc-import-link = Importar uma lista
loc-import-title = Importar locais
loc-import-help = Um CSV em UTF-8 com as colunas code, name, kind (ou type), country, lat, lon e, se quiser, organisation (sua sigla), notes e active. Pode ter uma linha de etiquetas HXL abaixo do cabeçalho; vírgulas decimais são aceitas.
loc-import-help-codes = Uma linha com um código novo cria um local; uma linha com um código conhecido substitui esse local.
loc-error-code = Informe um código de 2 a 40 letras, números, - ou _, como COL-CUC-SB.
loc-error-code-taken = Outro local já tem este código.
loc-error-name = Informe um nome de no máximo 200 caracteres.
loc-error-kind = Escolha um tipo da lista.
loc-error-country = Escolha um país da lista.
loc-error-lat = Informe a latitude em graus decimais, entre -90 e 90, como 7.8167.
loc-error-lon = Informe a longitude em graus decimais, entre -180 e 180, como -72.4667.
loc-error-organisation-id = Escolha uma organização da lista.
loc-error-notes = As notas podem ter no máximo 2000 caracteres.
loc-import-done = Importado: { $created } locais novos, { $updated } substituídos.

# Mapa
map-all-countries = Todos os países
map-show = Mostrar
map-legend = Tipos de local
map-open = Abrir
map-failed = Não foi possível carregar as camadas do mapa.
map-empty = Ainda não há nada para mostrar aqui.
map-note = Os limites são desenhados simplificados no mapa; os downloads os trazem completos. Nenhum mapa de fundo é carregado: o Rumbo funciona sem conexão.
