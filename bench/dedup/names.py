"""Name lists for the synthetic registrations, most common first.

The order matters: the generator gives the k-th name a weight of 1/k^s (Zipf), so González,
Rodríguez and María are as common here as they are on a Venezuelan registration desk — which is
what makes a shared surname weak evidence and a rare one strong (term-frequency adjustment).
Lists are hand-written from common Venezuelan and Colombian usage; no real person is described.
"""

SURNAMES = """
González Rodríguez Pérez Hernández García Martínez López Sánchez Díaz Ramírez Torres Rojas
Gómez Morales Flores Contreras Silva Romero Suárez Mendoza Castillo Medina Rivas Vargas
Herrera Moreno Gutiérrez Álvarez Castro Jiménez Ruiz Blanco Guerrero Salazar Marcano Chacón
Briceño Rangel Quintero Colmenares Villalobos Carrillo Ortega Acosta Aponte Delgado Escalona
Fernández Figueroa Hidalgo Linares Lugo Márquez Mejía Molina Montilla Navarro Ochoa Osorio
Palacios Paredes Peña Pineda Ramos Reyes Rincón Ríos Rivero Sosa Tovar Urdaneta Valera Vásquez
Zambrano León Cordero Duarte Espinoza Guzmán Landaeta Mora Nieves Parra Pacheco Piña Quiroz
Rondón Salas Sequera Tapia Uzcátegui Velásquez Yánez Zerpa Alvarado Arias Ávila Barrios
Bello Bermúdez Bravo Cabrera Calderón Camacho Campos Cárdenas Carrasco Cedeño Chirinos Colina
Córdova Cova Cuevas Dávila Domínguez Echeverría Fuentes Gallardo Gil Godoy Guevara Gutiérrez
Ibarra Lara Leal Lozada Luna Machado Maldonado Marín Mata Meléndez Méndez Mijares Miranda
Montero Muñoz Núñez Ojeda Olivares Orozco Ortiz Padrón Patiño Perdomo Pimentel Ponce Prieto
Quevedo Rivera Rosales Rueda Salcedo Sandoval Santana Serrano Sierra Solórzano Soto Sulbarán
Toro Trujillo Valbuena Valdez Valencia Vera Villegas Zapata Zamora Agudelo Arango Bedoya
Betancourt Cardona Castaño Cifuentes Escobar Franco Giraldo Henao Londoño Montoya Osorno
Quintana Restrepo Salamanca Tobón Uribe Vélez Zuluaga Albornoz Anzola Bastidas Belisario
Brito Caraballo Carvajal Coronado Crespo De-la-Cruz De-León Del-Valle De-Armas De-Freitas
De-Sousa Da-Silva De-Abreu De-Jesús Del-Castillo De-Las-Casas
"""

# A tuple per name: (female, male), most common first. Compound given names are made by pairing
# a first name with a second one from the same list, as parents do ("María José", "José Luis").
FEMALE = """
María Ana Carmen Luisa Rosa Daniela Gabriela Andreína Alejandra Valentina Mariana Carla Yolanda
Elena Isabel Josefina Patricia Fernanda Victoria Sofía Paola Carolina Yelitza Yusmary Marisol
Adriana Beatriz Claudia Dayana Desirée Eglé Fabiola Génesis Gladys Irene Jennifer Johana Karina
Katherine Laura Lorena Maribel Milagros Mirna Nairobi Nancy Neida Norelis Omaira Yajaira Rebeca
Rosalba Sandra Silvia Susana Teresa Thais Vanessa Virginia Wendy Xiomara Yaneth Yenny Zoraida
Angélica Andrea Belkis Celeste Doris Esther Francys Grecia Hilda Inés Jhoana Lisbeth Mayerlin
Noemí Oriana Raquel Rocío Stefany Yuleisy Zulay Aurora Bárbara Cristina Dalia Elizabeth Emilia
"""
MALE = """
José Luis Carlos Juan Jesús Miguel Jorge Pedro Antonio Manuel Rafael Francisco Alejandro Daniel
Gabriel Víctor Andrés Ángel Eduardo Ricardo Fernando Alberto Javier Óscar Enrique Gregorio
Ramón Héctor Rubén Wilmer Yonathan Johan Kevin Jhonny Leonardo Omar Orlando Pablo Raúl Samuel
Santiago Sebastián Simón Tomás Vicente William Yorman Alexander Anderson Armando Bryan Cristian
Darwin Deivis Edgar Elvis Félix Freddy Gerardo Gustavo Hugo Iván Jairo Jonathan Julio Leandro
Marcos Mauricio Néstor Noel Reinaldo Richard Roberto Rodolfo Ronald Sergio Wilfredo Yeferson
Adrián Agustín Alfredo Arturo César Diego Domingo Elías Emilio Ernesto Esteban Ignacio Isaac
"""

# Organisations that register the same people; each has its own habits (see generate.STYLES).
ORGANISATIONS = ["UNHCR", "IOM", "NRC", "HIAS", "CARITAS", "IFRC"]


def words(block):
    """Names from a block; a hyphen joins a surname with its particles ("De-la-Cruz")."""
    return [w.replace("-", " ") for w in block.split()]


def unique(seq):
    seen = set()
    return [x for x in seq if not (x in seen or seen.add(x))]
