# Navigation and page frame
nav-label = Main menu
nav-home = Home
nav-map = Map
nav-geography = Geography
nav-locations = Locations
nav-organisations = Organisations
nav-users = Users
nav-audit = Audit log
nav-sign-out = Sign out
language-label = Language
language-apply = Change
footer-text = Rumbo — displacement tracking and inter-agency coordination. Personal data is protected and every access is logged.
scope-region = whole region
list-total = { $count ->
    [one] { $count } result
   *[other] { $count } results
}
list-showing = { $from }–{ $to } of { $total }
list-previous = Previous
list-next = Next
list-empty = Nothing matches.
form-save = Save
form-cancel = Cancel
form-filter = Filter
form-all = All
form-yes = Yes
form-no = No

# Errors, by code
error-unauthenticated = Sign in first
error-invalid_token = Invalid API token
error-forbidden = Not allowed
error-csrf = The form has expired
error-not_found = Not found
error-bad_request = The request could not be read
error-invalid = Some values are not valid
error-rejected = Nothing was imported
error-conflict = This already exists
error-throttled = Too many attempts
error-too_large = Too large
error-unavailable = Temporarily unavailable
error-internal = Something went wrong
error-back-home = Back to the start page

# Home
home-title = Rumbo
home-intro = Displacement tracking and inter-agency coordination for refugees and migrants from Venezuela.
home-map = Admin areas and locations on a map.
home-countries = { $count } response countries
home-geography = Admin areas and P-codes, by country.
home-locations = Border crossings, flow monitoring points, sites and desks.
home-organisations = { $count } organisations
home-organisations-text = Partners, agencies and platforms.
home-your-roles = Your roles

# Sign-in
login-title = Sign in
login-intro = Use the account your organisation gave you.
login-username = Username
login-password = Password
login-submit = Sign in
login-failed = The username or password is not right.
login-throttled = Too many failed attempts. Try again in { $seconds } seconds.

# Vocabularies
role-platform_admin = Platform administrator
role-im_officer = Information management officer
role-organisation_manager = Organisation manager
role-enumerator = Enumerator
role-protection_officer = Protection officer / caseworker
role-viewer = Viewer
location_type-flow_monitoring_point = Flow monitoring point
location_type-border_crossing = Border crossing
location_type-site = Site
location_type-support_space = Support space
location_type-service_point = Service point
location_type-registration_desk = Registration desk
organisation_type-un_agency = UN agency
organisation_type-international_ngo = International NGO
organisation_type-national_ngo = National NGO
organisation_type-red_cross = Red Cross / Red Crescent
organisation_type-government = Government
organisation_type-donor = Donor
organisation_type-academic = Academia
platform_type-national = National platform
platform_type-sub_regional = Sub-regional platform
platform_type-regional = Regional platform
audit_action-create = Created
audit_action-update = Changed
audit_action-delete = Deleted
audit_action-read = Viewed
audit_action-import = Imported
audit_action-export = Exported
audit_action-sign_in = Signed in
audit_action-sign_in_failed = Failed sign-in
audit_action-sign_out = Signed out
entity-organisation = Organisation
entity-platform = Platform
entity-user = User
entity-role_grant = Role
entity-api_token = API token
entity-session = Session
entity-admin_area = Admin area
entity-location = Location

# Sex, as flow monitoring counts and registrations record it.
sex-female = Female
sex-male = Male
sex-other = Other
