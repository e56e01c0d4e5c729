# Registration desks: which enumerators work at which desk.
reg-desks-title = Registration desks and their enumerators
reg-desks-intro = Enumerators register, see and correct households only at the desks they are assigned to. The organisation that runs a desk and the country's IM officers assign its staff here.
reg-desks-link = Desk assignments
reg-desk-nobody = Nobody is assigned to this desk yet.
reg-desk-name = Name
reg-desk-username = Username
reg-desk-assign = Assign to this desk
reg-desk-unassign = Unassign
reg-desk-none = You are not assigned to any registration desk, so you see no households. Enumerators work only at their desks: ask your organisation's manager to assign you to one.
reg-desk-yours = Your desks
entity-desk_assignment = Assignment to a registration desk
