# Puntos de registro: qué encuestadores trabajan en cada punto.
reg-desks-title = Puntos de registro y sus encuestadores
reg-desks-intro = Los encuestadores registran, consultan y corrigen hogares solo en los puntos de registro a los que están asignados. La organización que gestiona el punto y los oficiales de gestión de información del país asignan aquí a su personal.
reg-desks-link = Asignaciones a puntos de registro
reg-desk-nobody = Todavía no hay nadie asignado a este punto.
reg-desk-name = Nombre
reg-desk-username = Usuario
reg-desk-assign = Asignar a este punto
reg-desk-unassign = Quitar asignación
reg-desk-none = No está asignado a ningún punto de registro, por eso no ve ningún hogar. Los encuestadores trabajan solo en sus puntos: pida al gestor de su organización que le asigne a uno.
reg-desk-yours = Sus puntos de registro
entity-desk_assignment = Asignación a un punto de registro
