# Postos de registro: quais entrevistadores trabalham em cada posto.
reg-desks-title = Postos de registro e seus entrevistadores
reg-desks-intro = Os entrevistadores registram, consultam e corrigem domicílios apenas nos postos de registro para os quais foram designados. A organização que gere o posto e os oficiais de gestão de informação do país designam aqui a sua equipe.
reg-desks-link = Designações para postos de registro
reg-desk-nobody = Ainda não há ninguém designado para este posto.
reg-desk-name = Nome
reg-desk-username = Usuário
reg-desk-assign = Designar para este posto
reg-desk-unassign = Retirar designação
reg-desk-none = Você não está designado para nenhum posto de registro, por isso não vê nenhum domicílio. Os entrevistadores trabalham apenas nos seus postos: peça ao gestor da sua organização que o designe para um.
reg-desk-yours = Seus postos de registro
entity-desk_assignment = Designação para um posto de registro
