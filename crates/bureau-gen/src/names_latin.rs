//! Raw name lists for Latin-script cultures (format in [`crate::culture`]): the native spelling
//! keeps its diacritics, alternatives are spellings bureaus really record (Mueller, Gonzales,
//! Antônio); spellings that merely drop diacritics are generated, not listed.

use crate::culture::{CultureData, Script};

pub const SPANISH: CultureData = CultureData {
    name: "spanish",
    script: Script::Latin,
    weight: 10,
    nationalities: &[
        "ESP", "ESP", "ESP", "MEX", "MEX", "ARG", "COL", "PER", "VEN", "CHL",
    ],
    native_percent: 85,
    second_given_percent: 25,
    patronymic_percent: 0,
    second_family_percent: 80,
    feminine_native: &[],
    feminine_latin: &[],
    family: "García; Rodríguez; González|Gonzales; Fernández|Fernandes; López|Lopes; Martínez; \
        Sánchez; Pérez|Peres; Gómez; Martín; Jiménez|Gimenez; Ruiz; Hernández; Díaz|Dias; Moreno; \
        Muñoz|Munos; Álvarez; Romero; Alonso; Gutiérrez; Navarro; Torres; Domínguez; \
        Vázquez|Vasquez; Ramos; Gil; Ramírez; Serrano; Blanco; Molina; Morales; Suárez|Suares; \
        Ortega; Delgado; Castro; Ortiz; Rubio; Marín; Sanz; Núñez; Iglesias; Medina; Garrido; \
        Castillo; Márquez; Peña",
    given_male: "José; Antonio; Juan; Manuel; Francisco; Luis; Javier|Xavier; Carlos; Jesús; \
        Miguel; Alejandro; Rafael; Pedro; Ángel; Pablo; Fernando; Jorge; Sergio; Diego; Andrés",
    given_female: "María; Carmen; Ana; Isabel; Laura; Lucía; Cristina; Marta; Pilar; Elena; \
        Rosa; Teresa; Sofía; Paula; Raquel; Dolores; Beatriz; Inés",
    patronymic_male: "",
    patronymic_female: "",
    places: "Madrid; Barcelona; Sevilla|Seville; Valencia; Málaga; Zaragoza; \
        Ciudad de México|Mexico City; Buenos Aires; Bogotá; Lima",
};

pub const PORTUGUESE: CultureData = CultureData {
    name: "portuguese",
    script: Script::Latin,
    weight: 6,
    nationalities: &["BRA", "BRA", "BRA", "PRT", "PRT"],
    native_percent: 85,
    second_given_percent: 30,
    patronymic_percent: 0,
    second_family_percent: 60,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Silva|da Silva; Santos|dos Santos; Ferreira; Pereira; Oliveira; Costa; Rodrigues; \
        Martins; Sousa|Souza|de Sousa; Fernandes; Gonçalves; Gomes; Lopes; Marques; Alves; \
        Almeida; Ribeiro; Pinto; Carvalho; Teixeira; Moreira; Correia|Correa; Mendes; Nunes; \
        Soares; Vieira; Monteiro; Cardoso; Rocha; Araújo; Barbosa; Lima; Conceição",
    given_male: "João; José; António|Antônio; Francisco; Manuel; Pedro; Paulo; Carlos; \
        Luís|Luiz; Miguel; Rafael; Tiago|Thiago; Bruno; Lucas; Gabriel; Marcos; Rui; Fernando",
    given_female: "Maria; Ana; Francisca; Antónia|Antônia; Adriana; Juliana; Márcia; Fernanda; \
        Patrícia; Aline; Sandra; Camila; Beatriz; Mariana; Inês; Joana",
    patronymic_male: "",
    patronymic_female: "",
    places: "Lisboa|Lisbon; Porto|Oporto; São Paulo; Rio de Janeiro; Belo Horizonte; Salvador; \
        Brasília; Recife",
};

pub const GERMAN: CultureData = CultureData {
    name: "german",
    script: Script::Latin,
    weight: 8,
    nationalities: &["DEU", "DEU", "DEU", "DEU", "AUT", "CHE"],
    native_percent: 85,
    second_given_percent: 25,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Müller|Mueller; Schmidt|Schmitt; Schneider; Fischer; Weber; Meyer|Meier|Maier; \
        Wagner; Becker; Schulz|Schultz; Hoffmann|Hofmann; Schäfer|Schaefer; Koch; Bauer; Richter; \
        Klein; Wolf|Wolff; Schröder|Schroeder; Neumann; Schwarz; Zimmermann; Braun; \
        Krüger|Krueger; Hartmann; Lange; Werner; Schmitz; Krause; Lehmann; Köhler|Koehler; \
        Herrmann|Hermann; König|Koenig; Walter; Huber; Kaiser; Fuchs; Peters; Scholz; \
        Möller|Moeller; Weiß|Weiss; Jung; Hahn; Vogel; Friedrich; Keller; Günther|Guenther; \
        Berger; Böhm|Boehm; Jäger|Jaeger; Groß|Gross",
    given_male: "Jürgen|Juergen; Peter; Michael; Thomas; Andreas; Wolfgang; Klaus|Claus; \
        Stefan|Stephan; Christian; Uwe; Werner; Hans; Frank; Bernd; Markus|Marcus; Matthias; \
        Sebastian; Lukas|Lucas; Jörg|Joerg; Günter|Guenter|Günther; Dieter; Horst; Tobias; Jan; Felix",
    given_female: "Ursula; Monika; Petra; Sabine; Renate; Helga; Karin; Brigitte; Andrea; \
        Susanne; Birgit; Claudia; Julia; Anna; Katharina|Katarina; Jana; Lena; Laura; \
        Sarah|Sara; Nicole; Stefanie|Stephanie; Gisela; Ingrid; Jutta; Bärbel|Baerbel",
    patronymic_male: "",
    patronymic_female: "",
    places: "Berlin; Hamburg; München|Munich; Köln|Cologne; Frankfurt am Main; Stuttgart; \
        Wien|Vienna; Zürich|Zurich; Düsseldorf",
};

pub const FRENCH: CultureData = CultureData {
    name: "french",
    script: Script::Latin,
    weight: 8,
    nationalities: &["FRA", "FRA", "FRA", "FRA", "BEL", "CHE", "CAN"],
    native_percent: 85,
    second_given_percent: 20,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Martin; Bernard; Thomas; Petit; Robert; Richard; Durand; Dubois; Moreau; Laurent; \
        Simon; Michel; Lefèvre|Lefebvre; Leroy|Le Roy; Roux; David; Bertrand; Morel; Fournier; \
        Girard; Bonnet; Dupont|Du Pont; Lambert; Fontaine; Rousseau; Vincent; Muller; Faure; \
        André; Mercier; Blanc; Guérin; François; Boyer; Garnier; Chevalier; Gauthier|Gautier; \
        Perrin; Clément; Dupuis|Dupuy; Lemaire; Lemoine; Benoît",
    given_male: "Jean; Pierre; Michel; André; Philippe; Alain; Jacques; Bernard; Patrick; \
        Nicolas; Christophe; Daniel; Éric; Frédéric; Laurent; Stéphane; Sébastien; Julien; \
        Thomas; Mathieu|Matthieu; Jean-Luc; Jean-Pierre; François; Théo; Hugo",
    given_female: "Marie; Nathalie; Isabelle; Sylvie; Catherine; Françoise; Martine; Christine; \
        Monique; Valérie; Sophie; Sandrine; Céline; Hélène; Émilie; Camille; Léa; Chloé; Manon; \
        Aurélie; Stéphanie; Marie-Claire; Anne-Sophie; Gaëlle; Noémie",
    patronymic_male: "",
    patronymic_female: "",
    places: "Paris; Marseille; Lyon; Toulouse; Nice; Lille; Bordeaux; Strasbourg; Bruxelles|Brussels; \
        Montréal",
};

pub const TURKISH: CultureData = CultureData {
    name: "turkish",
    script: Script::Latin,
    weight: 6,
    nationalities: &["TUR", "TUR", "TUR", "DEU"],
    native_percent: 80,
    second_given_percent: 15,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Yılmaz; Kaya; Demir; Şahin|Schahin; Çelik|Tschelik; Yıldız; Yıldırım; \
        Öztürk|Oeztuerk; Aydın; Özdemir|Oezdemir; Arslan|Aslan; Doğan; Kılıç; Çetin; Kara; \
        Koç; Kurt; Özkan|Oezkan; Şimşek; Polat; Korkmaz; Karataş; Erdoğan; Güler|Gueler; Tekin; \
        Yavuz; Aksoy; Bulut; Keskin; Ünal|Uenal",
    given_male: "Mehmet|Mehmed; Mustafa; Ahmet|Ahmed; Ali; Hüseyin|Hueseyin; Hasan; İbrahim; \
        İsmail; Osman; Yusuf; Murat|Murad; Ömer|Oemer; Ramazan; Emre; Burak; Fatih; Halil; \
        Kemal; Serkan; Hakan",
    given_female: "Fatma; Ayşe|Aysche; Emine; Hatice; Zeynep; Elif; Meryem; Şerife; Zehra; \
        Sultan; Hanife; Merve; Özlem|Oezlem; Esra; Büşra; Gülsüm; Derya; Ebru",
    patronymic_male: "",
    patronymic_female: "",
    places: "İstanbul; Ankara; İzmir; Bursa; Antalya; Adana; Gaziantep; Konya",
};

pub const POLISH: CultureData = CultureData {
    name: "polish",
    script: Script::Latin,
    weight: 5,
    nationalities: &["POL"],
    native_percent: 85,
    second_given_percent: 20,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[("ki", "ka")],
    feminine_latin: &[("ki", "ka")],
    family: "Nowak; Kowalski; Wiśniewski; Wójcik; Kowalczyk; Kamiński; Lewandowski; Zieliński; \
        Szymański|Schimanski; Woźniak; Dąbrowski|Dombrowski; Kozłowski; Jankowski; Mazur; \
        Wojciechowski; Kwiatkowski; Krawczyk; Kaczmarek; Piotrowski; Grabowski; Zając; \
        Pawłowski; Michalski; Król; Wieczorek; Jabłoński; Wróbel; Nowakowski; Majewski; \
        Olszewski; Stępień; Malinowski; Jaworski; Adamczyk; Dudek; Nowicki|Nowitzki; Pawlak; \
        Górski; Witkowski; Walczak; Sikora",
    given_male: "Piotr; Krzysztof; Andrzej; Tomasz; Paweł; Jan; Michał; Marcin; Grzegorz; \
        Józef; Łukasz|Lukas; Adam; Zbigniew; Jerzy; Tadeusz; Dariusz; Mariusz; Rafał; Wojciech; \
        Kamil; Mateusz",
    given_female: "Anna; Maria; Katarzyna; Małgorzata; Agnieszka; Barbara; Krystyna; Ewa; \
        Elżbieta; Zofia; Joanna; Magdalena; Monika; Beata; Aleksandra; Natalia; Dorota; \
        Jolanta; Irena; Danuta; Grażyna",
    patronymic_male: "",
    patronymic_female: "",
    places: "Warszawa|Warsaw; Kraków|Cracow; Łódź; Wrocław|Breslau; Poznań; Gdańsk|Danzig; \
        Szczecin; Lublin",
};

pub const ITALIAN: CultureData = CultureData {
    name: "italian",
    script: Script::Latin,
    weight: 5,
    nationalities: &["ITA"],
    native_percent: 90,
    second_given_percent: 15,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Rossi; Russo; Ferrari; Esposito; Bianchi; Romano; Colombo; Ricci; Marino; Greco; \
        Bruno; Gallo; Conti; De Luca|Deluca; Mancini; Costa; Giordano; Rizzo; Lombardi; Moretti; \
        Barbieri; Fontana; Santoro; Mariani; Rinaldi; Caruso; Ferrara; Galli; Martini; Leone; \
        Longo; Gentile; Martinelli; Vitale; Lombardo; Serra; Coppola; De Santis|Desantis; \
        D'Angelo|Dangelo|D Angelo; Marchetti; Parisi; Villa; Conte; Ferraro; Fabbri",
    given_male: "Giuseppe; Giovanni; Antonio; Mario; Luigi; Francesco; Angelo; Vincenzo; \
        Pietro; Salvatore; Carlo; Franco; Domenico; Paolo; Michele; Giorgio; Sergio; Luca; \
        Marco; Alessandro; Andrea; Matteo; Lorenzo; Niccolò|Nicolò",
    given_female: "Maria; Anna; Giuseppina; Rosa; Angela; Giovanna; Teresa; Lucia; Carmela; \
        Caterina; Francesca; Antonietta; Carla; Elena; Concetta; Rita; Giulia; Sofia; Chiara; \
        Martina; Alessia; Federica; Valentina",
    patronymic_male: "",
    patronymic_female: "",
    places: "Roma|Rome; Milano|Milan; Napoli|Naples; Torino|Turin; Palermo; Genova|Genoa; \
        Bologna; Firenze|Florence; Bari",
};

pub const ENGLISH: CultureData = CultureData {
    name: "english",
    script: Script::Latin,
    weight: 8,
    nationalities: &["GBR", "GBR", "USA", "USA", "IRL", "AUS", "CAN"],
    native_percent: 95,
    second_given_percent: 35,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "Smith; Johnson; Williams; Brown; Jones; Miller; Davis; Wilson; Anderson; Taylor; \
        Thomas; Moore; Jackson; Martin; Lee; Thompson|Thomson; White; Harris; Clark|Clarke; \
        Lewis; Robinson; Walker; Young; Allen; King; Wright; Scott; Hill; Green; Adams; Baker; \
        Nelson; Carter; Mitchell; Roberts; Turner; Phillips|Philips; Campbell; Evans; Edwards; \
        Collins; Stewart|Stuart; Morris; Murphy; Cook; Rogers; Reed|Reid; Morgan; Bell; \
        O'Brien|OBrien|O Brien; Kelly; MacDonald|McDonald",
    given_male: "James; John; Robert; Michael; William; David; Richard; Joseph; Thomas; \
        Charles; Christopher; Daniel; Matthew; Anthony; Mark; Paul; Steven|Stephen; Andrew; \
        Kevin; Brian|Bryan; George; Edward; Ryan; Jason; Gary; Timothy; Jeffrey|Geoffrey; Liam; \
        Noah; Jack",
    given_female: "Mary; Patricia; Jennifer; Linda; Elizabeth; Barbara; Susan; Jessica; \
        Sarah|Sara; Karen; Nancy; Lisa; Margaret; Sandra; Ashley; Emily; Donna; Michelle; \
        Dorothy; Carol; Amanda; Melissa; Deborah|Debra; Stephanie; Rebecca; Laura; Emma; Olivia; \
        Sophie|Sophia; Chloe",
    patronymic_male: "",
    patronymic_female: "",
    places: "London; Birmingham; Manchester; Glasgow; New York; Los Angeles; Chicago; Houston; \
        Dublin; Sydney; Toronto",
};
