# Navegação e moldura da página
nav-label = Menu principal
nav-home = Início
nav-map = Mapa
nav-geography = Geografia
nav-locations = Locais
nav-organisations = Organizações
nav-users = Usuários
nav-audit = Registro de auditoria
nav-sign-out = Sair
language-label = Idioma
language-apply = Mudar
footer-text = Rumbo — monitoramento da mobilidade e coordenação interagencial. Os dados pessoais são protegidos e cada acesso é registrado.
scope-region = toda a região
list-total = { $count ->
    [one] { $count } resultado
   *[other] { $count } resultados
}
list-showing = { $from }–{ $to } de { $total }
list-previous = Anterior
list-next = Próxima
list-empty = Nada corresponde.
form-save = Salvar
form-cancel = Cancelar
form-filter = Filtrar
form-all = Todos
form-yes = Sim
form-no = Não

# Erros, por código
error-unauthenticated = Entre primeiro
error-invalid_token = Token de API inválido
error-forbidden = Não permitido
error-csrf = O formulário expirou
error-not_found = Não encontrado
error-bad_request = Não foi possível ler a solicitação
error-invalid = Alguns valores não são válidos
error-rejected = Nada foi importado
error-conflict = Isto já existe
error-throttled = Tentativas demais
error-too_large = Grande demais
error-unavailable = Indisponível no momento
error-internal = Algo deu errado
error-back-home = Voltar ao início

# Início
home-title = Rumbo
home-intro = Monitoramento da mobilidade e coordenação interagencial para refugiados e migrantes da Venezuela.
home-map = Áreas administrativas e locais em um mapa.
home-countries = { $count } países da resposta
home-geography = Áreas administrativas e P-codes, por país.
home-locations = Postos de fronteira, pontos de monitoramento de fluxos, abrigos e postos de registro.
home-organisations = { $count } organizações
home-organisations-text = Parceiros, agências e plataformas.
home-your-roles = Seus papéis

# Entrada
login-title = Entrar
login-intro = Use a conta que sua organização lhe deu.
login-username = Usuário
login-password = Senha
login-submit = Entrar
login-failed = O usuário ou a senha não estão corretos.
login-throttled = Tentativas falhas demais. Tente novamente em { $seconds } segundos.

# Vocabulários
role-platform_admin = Administrador da plataforma
role-im_officer = Oficial de gestão da informação
role-organisation_manager = Gestor da organização
role-enumerator = Entrevistador
role-protection_officer = Oficial de proteção / gestor de casos
role-viewer = Leitor
location_type-flow_monitoring_point = Ponto de monitoramento de fluxos
location_type-border_crossing = Posto de fronteira
location_type-site = Abrigo / sítio
location_type-support_space = Espaço de apoio
location_type-service_point = Ponto de serviço
location_type-registration_desk = Posto de registro
organisation_type-un_agency = Agência da ONU
organisation_type-international_ngo = ONG internacional
organisation_type-national_ngo = ONG nacional
organisation_type-red_cross = Cruz Vermelha / Crescente Vermelho
organisation_type-government = Governo
organisation_type-donor = Doador
organisation_type-academic = Academia
platform_type-national = Plataforma nacional
platform_type-sub_regional = Plataforma sub-regional
platform_type-regional = Plataforma regional
audit_action-create = Criou
audit_action-update = Alterou
audit_action-delete = Excluiu
audit_action-read = Consultou
audit_action-import = Importou
audit_action-export = Exportou
audit_action-sign_in = Entrou
audit_action-sign_in_failed = Entrada falhou
audit_action-sign_out = Saiu
entity-organisation = Organização
entity-platform = Plataforma
entity-user = Usuário
entity-role_grant = Papel
entity-api_token = Token de API
entity-session = Sessão
entity-admin_area = Área administrativa
entity-location = Local

# Sexo, como o registram as contagens de monitoramento de fluxo e os registros.
sex-female = Mulher
sex-male = Homem
sex-other = Outro
