# Navegación y marco de página
nav-label = Menú principal
nav-home = Inicio
nav-map = Mapa
nav-geography = Geografía
nav-locations = Lugares
nav-organisations = Organizaciones
nav-users = Usuarios
nav-audit = Registro de auditoría
nav-sign-out = Cerrar sesión
language-label = Idioma
language-apply = Cambiar
footer-text = Rumbo — seguimiento de la movilidad y coordinación interagencial. Los datos personales están protegidos y cada acceso queda registrado.
scope-region = toda la región
list-total = { $count ->
    [one] { $count } resultado
   *[other] { $count } resultados
}
list-showing = { $from }–{ $to } de { $total }
list-previous = Anterior
list-next = Siguiente
list-empty = No hay coincidencias.
form-save = Guardar
form-cancel = Cancelar
form-filter = Filtrar
form-all = Todos
form-yes = Sí
form-no = No

# Errores, por código
error-unauthenticated = Inicie sesión primero
error-invalid_token = Token de API no válido
error-forbidden = No permitido
error-csrf = El formulario ha caducado
error-not_found = No encontrado
error-bad_request = No se pudo leer la solicitud
error-invalid = Algunos valores no son válidos
error-rejected = No se importó nada
error-conflict = Esto ya existe
error-throttled = Demasiados intentos
error-too_large = Demasiado grande
error-unavailable = No disponible por el momento
error-internal = Algo salió mal
error-back-home = Volver al inicio

# Inicio
home-title = Rumbo
home-intro = Seguimiento de la movilidad y coordinación interagencial para refugiados y migrantes de Venezuela.
home-map = Áreas administrativas y lugares en un mapa.
home-countries = { $count } países de la respuesta
home-geography = Áreas administrativas y P-codes, por país.
home-locations = Pasos fronterizos, puntos de monitoreo de flujos, sitios y puntos de registro.
home-organisations = { $count } organizaciones
home-organisations-text = Socios, agencias y plataformas.
home-your-roles = Sus roles

# Inicio de sesión
login-title = Iniciar sesión
login-intro = Use la cuenta que le dio su organización.
login-username = Usuario
login-password = Contraseña
login-submit = Entrar
login-failed = El usuario o la contraseña no son correctos.
login-throttled = Demasiados intentos fallidos. Inténtelo de nuevo en { $seconds } segundos.

# Vocabularios
role-platform_admin = Administrador de la plataforma
role-im_officer = Oficial de manejo de información
role-organisation_manager = Gestor de la organización
role-enumerator = Encuestador
role-protection_officer = Oficial de protección / gestor de casos
role-viewer = Lector
location_type-flow_monitoring_point = Punto de monitoreo de flujos
location_type-border_crossing = Paso fronterizo
location_type-site = Sitio
location_type-support_space = Espacio de apoyo
location_type-service_point = Punto de servicio
location_type-registration_desk = Punto de registro
organisation_type-un_agency = Agencia de la ONU
organisation_type-international_ngo = ONG internacional
organisation_type-national_ngo = ONG nacional
organisation_type-red_cross = Cruz Roja / Media Luna Roja
organisation_type-government = Gobierno
organisation_type-donor = Donante
organisation_type-academic = Academia
platform_type-national = Plataforma nacional
platform_type-sub_regional = Plataforma subregional
platform_type-regional = Plataforma regional
audit_action-create = Creó
audit_action-update = Modificó
audit_action-delete = Eliminó
audit_action-read = Consultó
audit_action-import = Importó
audit_action-export = Exportó
audit_action-sign_in = Inició sesión
audit_action-sign_in_failed = Inicio de sesión fallido
audit_action-sign_out = Cerró sesión
entity-organisation = Organización
entity-platform = Plataforma
entity-user = Usuario
entity-role_grant = Rol
entity-api_token = Token de API
entity-session = Sesión
entity-admin_area = Área administrativa
entity-location = Lugar

# Sexo, como lo registran los conteos de monitoreo de flujo y los registros.
sex-female = Mujer
sex-male = Hombre
sex-other = Otro
