//! Raw name lists for the synthetic data generator, one block per culture (format in
//! [`crate::culture`]); the Latin-script cultures are in [`crate::names_latin`].

use crate::culture::{CultureData, Script};
use crate::names_latin;

const EAST_SLAVIC_FEMININE_LATIN: &[(&str, &str)] = &[
    ("skii", "skaia"),
    ("skyi", "ska"),
    ("sky", "skaya"),
    ("ski", "ska"),
    ("off", "ova"),
    ("ov", "ova"),
    ("ow", "owa"),
    ("ev", "eva"),
    ("ew", "ewa"),
    ("ine", "ina"),
    ("in", "ina"),
];

const RUSSIAN: CultureData = CultureData {
    name: "russian",
    script: Script::Cyrillic,
    weight: 10,
    nationalities: &["RUS", "RUS", "RUS", "RUS", "BLR", "KAZ"],
    native_percent: 40,
    second_given_percent: 0,
    patronymic_percent: 40,
    second_family_percent: 0,
    feminine_native: &[
        ("ский", "ская"),
        ("цкий", "цкая"),
        ("ов", "ова"),
        ("ев", "ева"),
        ("ёв", "ёва"),
        ("ин", "ина"),
    ],
    feminine_latin: EAST_SLAVIC_FEMININE_LATIN,
    family: "Иванов|Ivanov|Ivanoff|Iwanow; Смирнов|Smirnov|Smirnoff|Smirnow; \
        Кузнецов|Kuznetsov|Kuznetcov|Kusnezow|Kouznetsov; Попов|Popov|Popoff|Popow; \
        Васильев|Vasilev|Vasiliev|Vasilyev|Wassiljew; Петров|Petrov|Petroff|Petrow; \
        Соколов|Sokolov|Sokoloff|Sokolow; Михайлов|Mikhailov|Mikhaylov|Michailow|Mihailov; \
        Новиков|Novikov|Novikoff|Nowikow; Фёдоров|Fedorov|Fyodorov|Fiodorov|Fjodorow; \
        Морозов|Morozov|Morosow|Morozoff; Волков|Volkov|Volkoff|Wolkow; \
        Алексеев|Alekseev|Alexeev|Alekseyev|Alexejew; Лебедев|Lebedev|Lebedeff|Lebedew; \
        Семёнов|Semenov|Semyonov|Semionov|Semjonow; Егоров|Egorov|Yegorov|Jegorow; \
        Павлов|Pavlov|Pavloff|Pawlow; Козлов|Kozlov|Koslow|Kozloff; \
        Степанов|Stepanov|Stepanoff|Stepanow; Николаев|Nikolaev|Nikolayev|Nikolajew; \
        Орлов|Orlov|Orloff|Orlow; Андреев|Andreev|Andreyev|Andrejew; \
        Макаров|Makarov|Makaroff|Makarow; Никитин|Nikitin|Nikitine; \
        Захаров|Zakharov|Zaharov|Sacharow; Зайцев|Zaitsev|Zaytsev|Saizew|Zaitcev; \
        Соловьёв|Solovev|Soloviev|Solovyov|Solowjow; Борисов|Borisov|Borissov|Borissow; \
        Яковлев|Iakovlev|Yakovlev|Jakowlew; Григорьев|Grigorev|Grigoriev|Grigoryev|Grigorjew; \
        Романов|Romanov|Romanoff|Romanow; Воробьёв|Vorobev|Vorobiev|Vorobyov|Worobjow; \
        Сергеев|Sergeev|Sergeyev|Sergejew; Кузьмин|Kuzmin|Kousmine|Kusmin; \
        Фролов|Frolov|Froloff|Frolow; Александров|Aleksandrov|Alexandrov|Alexandroff; \
        Дмитриев|Dmitriev|Dmitriyev|Dmitrijew; Королёв|Korolev|Korolyov|Koroljow; \
        Белов|Belov|Beloff|Below; Соколовский|Sokolovskii|Sokolovsky|Sokolowski",
    given_male: "Александр|Aleksandr|Alexander|Alexandre|Alexandr; \
        Сергей|Sergei|Sergey|Serguei|Sergej; Дмитрий|Dmitrii|Dmitry|Dmitri|Dimitri; \
        Андрей|Andrei|Andrey|Andrej; Алексей|Aleksei|Alexey|Alexei|Alexej; \
        Максим|Maksim|Maxim|Maxime; Евгений|Evgenii|Evgeny|Yevgeny|Jewgeni; Иван|Ivan|Iwan; \
        Михаил|Mikhail|Mihail|Michail; Николай|Nikolai|Nikolay|Nikolaj; \
        Владимир|Vladimir|Wladimir; Юрий|Iurii|Yuri|Yury|Jurij; Олег|Oleg; Павел|Pavel|Pawel; \
        Виктор|Viktor|Victor; Игорь|Igor; Артём|Artem|Artyom|Artiom|Artjom; Роман|Roman; \
        Никита|Nikita; Владислав|Vladislav|Wladislaw",
    given_female: "Елена|Elena|Yelena|Jelena; Ольга|Olga; Наталья|Natalia|Natalya|Natalja; \
        Татьяна|Tatiana|Tatyana|Tatjana; Ирина|Irina; Светлана|Svetlana|Swetlana; \
        Екатерина|Ekaterina|Yekaterina|Jekaterina; Анна|Anna; Мария|Mariia|Maria|Mariya; \
        Юлия|Iuliia|Yulia|Julia|Ioulia; Анастасия|Anastasiia|Anastasia|Anastasiya; \
        Марина|Marina; Людмила|Liudmila|Lyudmila|Ludmila; Ксения|Kseniia|Ksenia|Xenia; \
        Дарья|Daria|Darya|Darja; Валентина|Valentina|Walentina; Галина|Galina; \
        Виктория|Viktoriia|Viktoria|Victoria",
    patronymic_male: "Александрович|Aleksandrovich|Alexandrovich|Alexandrowitsch; \
        Сергеевич|Sergeevich|Sergeyevich|Sergejewitsch; Иванович|Ivanovich|Ivanovitch|Iwanowitsch; \
        Владимирович|Vladimirovich|Wladimirowitsch; Николаевич|Nikolaevich|Nikolayevich; \
        Михайлович|Mikhailovich|Mikhaylovich; Андреевич|Andreevich|Andreyevich; \
        Викторович|Viktorovich|Victorovich; Юрьевич|Iurevich|Yuryevich|Yurievich; \
        Алексеевич|Alekseevich|Alexeyevich; Дмитриевич|Dmitrievich|Dmitriyevich; \
        Петрович|Petrovich|Petrowitsch",
    patronymic_female: "Александровна|Aleksandrovna|Alexandrovna|Alexandrowna; \
        Сергеевна|Sergeevna|Sergeyevna|Sergejewna; Ивановна|Ivanovna|Iwanowna; \
        Владимировна|Vladimirovna|Wladimirowna; Николаевна|Nikolaevna|Nikolayevna; \
        Михайловна|Mikhailovna|Mikhaylovna; Андреевна|Andreevna|Andreyevna; \
        Викторовна|Viktorovna|Victorovna; Юрьевна|Iurevna|Yuryevna|Yurievna; \
        Алексеевна|Alekseevna|Alexeyevna; Дмитриевна|Dmitrievna|Dmitriyevna; \
        Петровна|Petrovna|Petrowna",
    places: "Москва|Moscow|Moskva; Санкт-Петербург|Saint Petersburg|Sankt-Peterburg; \
        Новосибирск|Novosibirsk; Екатеринбург|Yekaterinburg|Ekaterinburg; Казань|Kazan; \
        Нижний Новгород|Nizhny Novgorod; Ростов-на-Дону|Rostov-on-Don; Самара|Samara; \
        Омск|Omsk; Краснодар|Krasnodar",
};

const UKRAINIAN: CultureData = CultureData {
    name: "ukrainian",
    script: Script::Cyrillic,
    weight: 6,
    nationalities: &["UKR"],
    native_percent: 35,
    second_given_percent: 0,
    patronymic_percent: 35,
    second_family_percent: 0,
    feminine_native: &[
        ("ський", "ська"),
        ("цький", "цька"),
        ("ов", "ова"),
        ("ин", "ина"),
    ],
    feminine_latin: EAST_SLAVIC_FEMININE_LATIN,
    family: "Шевченко|Shevchenko|Chevtchenko|Schewtschenko; Коваленко|Kovalenko|Kowalenko; \
        Бондаренко|Bondarenko; Ткаченко|Tkachenko|Tkatchenko|Tkatschenko; \
        Кравченко|Kravchenko|Kravtchenko|Krawtschenko; Ковальчук|Kovalchuk|Kowaltschuk; \
        Олійник|Oliinyk|Oliynyk|Oleynik; Шевчук|Shevchuk|Schewtschuk; \
        Поліщук|Polishchuk|Polischuk; Бойко|Boiko|Boyko|Bojko; Ткачук|Tkachuk|Tkatchouk; \
        Мельник|Melnyk|Melnik|Melnick; Савченко|Savchenko|Sawtschenko; Руденко|Rudenko; \
        Лисенко|Lysenko|Lissenko; Марченко|Marchenko|Martschenko; Мороз|Moroz|Morosz; \
        Петренко|Petrenko; Іваненко|Ivanenko|Iwanenko; Ковальський|Kovalskyi|Kovalsky|Kowalski; \
        Гончаренко|Honcharenko|Goncharenko|Hontscharenko; \
        Литвиненко|Lytvynenko|Litvinenko|Litwinenko; Романенко|Romanenko; \
        Кузьменко|Kuzmenko|Kusmenko; Павленко|Pavlenko|Pawlenko",
    given_male: "Олександр|Oleksandr|Olexander|Aleksandr|Alexander; \
        Сергій|Serhii|Serhiy|Sergiy|Sergii; Андрій|Andrii|Andriy|Andrij|Andrey; \
        Дмитро|Dmytro|Dmitro|Dmitry; Володимир|Volodymyr|Wolodymyr|Vladimir; \
        Юрій|Yurii|Yuriy|Iurii|Yuri; Іван|Ivan|Iwan; Василь|Vasyl|Vasil|Wasyl; \
        Михайло|Mykhailo|Mykhaylo|Mikhail; Микола|Mykola|Nikolai; Олег|Oleh|Oleg; \
        Богдан|Bohdan|Bogdan; Тарас|Taras; Віталій|Vitalii|Vitaliy|Vitaly; Ігор|Ihor|Igor; \
        Петро|Petro",
    given_female: "Олена|Olena|Elena; Ольга|Olha|Olga; Наталія|Nataliia|Natalia|Nataliya; \
        Тетяна|Tetiana|Tetyana|Tatiana; Ірина|Iryna|Irina; Оксана|Oksana|Oxana; \
        Юлія|Yuliia|Yulia|Julia; Світлана|Svitlana|Swetlana; Марія|Mariia|Maria; \
        Катерина|Kateryna|Katerina; Галина|Halyna|Galina; Людмила|Liudmyla|Lyudmyla|Ludmila; \
        Анна|Anna|Hanna; Вікторія|Viktoriia|Viktoria; Надія|Nadiia|Nadia|Nadiya",
    patronymic_male: "Олександрович|Oleksandrovych|Aleksandrovich; Іванович|Ivanovych|Ivanovich; \
        Миколайович|Mykolaiovych|Mykolayovych; Васильович|Vasylovych|Vasilyevich; \
        Петрович|Petrovych|Petrovich; Володимирович|Volodymyrovych|Vladimirovich; \
        Сергійович|Serhiiovych|Sergiyovych; Михайлович|Mykhailovych|Mikhailovich",
    patronymic_female: "Олександрівна|Oleksandrivna|Aleksandrovna; Іванівна|Ivanivna|Ivanovna; \
        Миколаївна|Mykolaivna|Nikolaevna; Василівна|Vasylivna|Vasilyevna; \
        Петрівна|Petrivna|Petrovna; Володимирівна|Volodymyrivna|Vladimirovna; \
        Сергіївна|Serhiivna|Sergeevna; Михайлівна|Mykhailivna|Mikhailovna",
    places: "Київ|Kyiv|Kiev; Харків|Kharkiv|Kharkov; Одеса|Odesa|Odessa; Дніпро|Dnipro; \
        Львів|Lviv|Lvov; Запоріжжя|Zaporizhzhia|Zaporozhye",
};

const GREEK: CultureData = CultureData {
    name: "greek",
    script: Script::Greek,
    weight: 4,
    nationalities: &["GRC", "GRC", "GRC", "CYP"],
    native_percent: 40,
    second_given_percent: 10,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[
        ("όπουλος", "οπούλου"),
        ("ος", "ου"),
        ("ης", "η"),
        ("άς", "ά"),
        ("ας", "α"),
    ],
    feminine_latin: &[
        ("opoulos", "opoulou"),
        ("opulos", "opulu"),
        ("os", "ou"),
        ("is", "i"),
        ("es", "e"),
        ("as", "a"),
    ],
    family: "Παπαδόπουλος|Papadopoulos|Papadopulos; Παπαδάκης|Papadakis|Papadakes; \
        Παπαγεωργίου|Papageorgiou|Papageorgiu; Βλάχος|Vlachos|Vlahos|Wlachos; \
        Αντωνίου|Antoniou|Antoniu; Γεωργίου|Georgiou|Yeorgiou|Georgiu; \
        Νικολάου|Nikolaou|Nicolaou|Nikolau; Παππάς|Pappas|Papas; \
        Οικονόμου|Oikonomou|Economou|Ikonomou; Δημητρίου|Dimitriou|Demetriou|Dimitriu; \
        Ιωάννου|Ioannou|Ioannu; Μακρής|Makris|Macris; Καραγιάννης|Karagiannis|Karayannis; \
        Αθανασίου|Athanasiou|Athanassiou; Κωνσταντίνου|Konstantinou|Constantinou; \
        Χριστοδούλου|Christodoulou|Hristodoulou|Christodulu; Ζαχαρίου|Zachariou|Zahariou; \
        Μιχαηλίδης|Michailidis|Michaelides|Mihailidis; Αλεξίου|Alexiou|Aleksiou; \
        Σταματόπουλος|Stamatopoulos|Stamatopulos; Κωστόπουλος|Kostopoulos|Costopoulos; \
        Πετρόπουλος|Petropoulos|Petropulos; Γεωργιάδης|Georgiadis|Georgiades|Yeorgiadis; \
        Θεοδωρόπουλος|Theodoropoulos|Theodoropulos; Σπυρόπουλος|Spyropoulos|Spiropoulos; \
        Λαμπράκης|Lamprakis|Lambrakis; Ραφαηλίδης|Rafailidis|Raphaelides",
    given_male: "Γεώργιος|Georgios|Yeoryios|Georgeios; Ιωάννης|Ioannis|Joannis|Ioannes; \
        Κωνσταντίνος|Konstantinos|Constantinos|Konstandinos; Δημήτριος|Dimitrios|Demetrios|Dhimitrios; \
        Νικόλαος|Nikolaos|Nicolaos|Nikolaus; Παναγιώτης|Panagiotis|Panayiotis|Panagiotes; \
        Βασίλειος|Vasileios|Vasilios|Vassilios; Χρήστος|Christos|Hristos; \
        Αθανάσιος|Athanasios|Athanassios; Μιχαήλ|Michail|Michael|Mihail; \
        Σωκράτης|Sokratis|Socrates|Sokrates; Ευάγγελος|Evangelos|Evaggelos|Euangelos; \
        Σπυρίδων|Spyridon|Spiridon; Αλέξανδρος|Alexandros|Aleksandros",
    given_female: "Μαρία|Maria; Ελένη|Eleni|Heleni; Αικατερίνη|Aikaterini|Ekaterini|Aikaterine; \
        Βασιλική|Vasiliki|Vassiliki; Σοφία|Sofia|Sophia; Αγγελική|Angeliki|Aggeliki; \
        Γεωργία|Georgia|Yeorgia; Δήμητρα|Dimitra|Demetra; Κωνσταντίνα|Konstantina|Constantina; \
        Παναγιώτα|Panagiota|Panayiota; Ευαγγελία|Evangelia|Evaggelia; \
        Χριστίνα|Christina|Hristina; Ιωάννα|Ioanna|Joanna; Αναστασία|Anastasia",
    patronymic_male: "",
    patronymic_female: "",
    places: "Αθήνα|Athens|Athina; Θεσσαλονίκη|Thessaloniki|Salonica; Πάτρα|Patras|Patra; \
        Ηράκλειο|Heraklion|Iraklio; Λάρισα|Larissa|Larisa; Λευκωσία|Nicosia|Lefkosia",
};

const ARABIC: CultureData = CultureData {
    name: "arabic",
    script: Script::Arabic,
    weight: 10,
    nationalities: &[
        "EGY", "EGY", "SYR", "SYR", "IRQ", "MAR", "DZA", "SAU", "JOR", "TUN", "LBN", "ARE",
    ],
    native_percent: 30,
    second_given_percent: 35,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "الحسن|Al-Hassan|Alhassan|El Hassan|Al Hasan; الأحمد|Al-Ahmad|Alahmad|El Ahmed; \
        المصري|Al-Masri|Almasri|El Masry|Al Masry; الخطيب|Al-Khatib|Alkhatib|El Khatib|Al Khateeb; \
        حداد|Haddad|Hadad; الشامي|Al-Shami|Alshami|El Chami; العلي|Al-Ali|Alali|El Ali; \
        منصور|Mansour|Mansur|Mansoor; حسين|Hussein|Hussain|Husayn|Houssein; \
        إبراهيم|Ibrahim|Ebrahim|Brahim; عبد الرحمن|Abdel Rahman|Abdulrahman|Abderrahmane; \
        سعيد|Saeed|Said|Sayed; يوسف|Youssef|Yousef|Yusuf|Youcef; العمري|Al-Omari|Alomari|El Omari; \
        الزهراني|Al-Zahrani|Alzahrani|Az-Zahrani; القحطاني|Al-Qahtani|Alqahtani|Al Kahtani; \
        الغامدي|Al-Ghamdi|Alghamdi; الدوسري|Al-Dosari|Aldossary|Al Dossari; \
        بن علي|Ben Ali|Bin Ali|Benali; الحلبي|Al-Halabi|Alhalabi|El Halabi; \
        عثمان|Osman|Othman|Uthman|Osmane; صالح|Saleh|Salih; خليل|Khalil|Khaleel|Halil; \
        النجار|Al-Najjar|Alnajjar|En-Najjar|Najjar; الجبوري|Al-Jubouri|Aljuburi|Al Jabouri; \
        التميمي|Al-Tamimi|Altamimi|At-Tamimi; عباس|Abbas|Abas; قاسم|Qasim|Kassem|Kasim|Qassem; \
        بوزيد|Bouzid|Bu Zaid; بن سالم|Ben Salem|Bin Salem|Bensalem",
    given_male: "محمد|Mohammed|Muhammad|Mohamed|Mohammad|Mouhamed; أحمد|Ahmed|Ahmad|Achmed; \
        علي|Ali|Aly; عبد الله|Abdullah|Abdallah|Abdulla|Abdellah; عمر|Omar|Umar|Omer; \
        خالد|Khaled|Khalid; يوسف|Youssef|Yousef|Yusuf|Youcef; حسن|Hassan|Hasan; \
        حسين|Hussein|Hussain|Husayn; إبراهيم|Ibrahim|Ebrahim; مصطفى|Mustafa|Moustafa|Mostafa; \
        محمود|Mahmoud|Mahmud|Mahmood; عبد الرحمن|Abdulrahman|Abdel Rahman|Abderrahmane; \
        سعيد|Said|Saeed|Sayed; كريم|Karim|Kareem; طارق|Tariq|Tarek|Tarik; \
        ياسين|Yassin|Yasin|Yacine; حمزة|Hamza|Hamzah; فيصل|Faisal|Faysal|Fayçal; عادل|Adel|Adil",
    given_female: "فاطمة|Fatima|Fatma|Fatimah|Fatema; عائشة|Aisha|Aicha|Aysha|Aishah; \
        مريم|Maryam|Mariam|Meriem; خديجة|Khadija|Khadidja|Khadijah; زينب|Zainab|Zeinab|Zaynab; \
        نور|Nour|Noor|Nur; سارة|Sara|Sarah; ليلى|Layla|Leila|Laila; أمينة|Amina|Aminah|Amena; \
        سلمى|Salma|Selma; هدى|Huda|Houda|Hoda; رانيا|Rania|Ranya; ياسمين|Yasmin|Yasmine|Jasmin; \
        منى|Mona|Muna; حنان|Hanan|Hanane",
    patronymic_male: "",
    patronymic_female: "",
    places: "القاهرة|Cairo|Al-Qahira; الإسكندرية|Alexandria|Al-Iskandariya; دمشق|Damascus|Dimashq; \
        حلب|Aleppo|Halab; بغداد|Baghdad; عمان|Amman; الدار البيضاء|Casablanca; \
        الجزائر|Algiers|Alger; تونس|Tunis; بيروت|Beirut|Beyrouth; الرياض|Riyadh|Riyad",
};

const CHINESE: CultureData = CultureData {
    name: "chinese",
    script: Script::Han,
    weight: 8,
    nationalities: &["CHN", "CHN", "CHN", "CHN", "TWN", "SGP", "HKG"],
    native_percent: 25,
    second_given_percent: 0,
    patronymic_percent: 0,
    second_family_percent: 0,
    feminine_native: &[],
    feminine_latin: &[],
    family: "王|Wang|Wong; 李|Li|Lee|Lei; 张|Zhang|Chang|Cheung; 刘|Liu|Lau|Lew; 陈|Chen|Chan|Tan; \
        杨|Yang|Yeung|Young; 黄|Huang|Wong|Hwang; 赵|Zhao|Chao|Chiu; 吴|Wu|Ng|Woo; 周|Zhou|Chou|Chow; \
        徐|Xu|Hsu|Tsui; 孙|Sun|Suen; 马|Ma|Mah; 朱|Zhu|Chu|Choo; 胡|Hu|Wu|Hoo; 郭|Guo|Kuo|Kwok; \
        何|He|Ho|Hoe; 高|Gao|Kao|Ko; 林|Lin|Lam|Lim; 罗|Luo|Lo|Law; 郑|Zheng|Cheng|Chang; \
        梁|Liang|Leung; 谢|Xie|Hsieh|Tse; 宋|Song|Sung; 唐|Tang|Tong; 许|Xu|Hsu|Hui; 韩|Han|Hon; \
        冯|Feng|Fung; 邓|Deng|Teng|Tang; 曹|Cao|Tsao|Tso",
    given_male: "伟|Wei|Wai; 强|Qiang|Chiang|Keung; 磊|Lei|Lui; 军|Jun|Chun|Kwan; 勇|Yong|Yung; \
        杰|Jie|Chieh|Kit; 涛|Tao|Tou; 明|Ming; 超|Chao|Chiu; 志强|Zhiqiang|Chih-chiang|Chi Keung; \
        建华|Jianhua|Chien-hua|Kin Wah; 建国|Jianguo|Chien-kuo; 小明|Xiaoming|Hsiao-ming|Siu Ming; \
        俊杰|Junjie|Chun-chieh|Chun Kit; 浩然|Haoran|Hao-jan; 宇轩|Yuxuan|Yu-hsuan; \
        子豪|Zihao|Tzu-hao|Tsz Ho; 文斌|Wenbin|Wen-pin; 国强|Guoqiang|Kuo-chiang|Kwok Keung; \
        海涛|Haitao|Hai-tao",
    given_female: "芳|Fang|Fong; 娜|Na; 敏|Min|Man; 静|Jing|Ching; 丽|Li|Lai; 艳|Yan|Yen; \
        秀英|Xiuying|Hsiu-ying|Sau Ying; 丽娟|Lijuan|Li-chuan; 婷婷|Tingting|Ting-ting; \
        欣怡|Xinyi|Hsin-yi|Yan Yi; 雪|Xue|Hsueh|Suet; 晓燕|Xiaoyan|Hsiao-yen|Siu Yin; \
        美玲|Meiling|Mei-ling|Mei Ling; 玉兰|Yulan|Yu-lan|Yuk Lan; 桂英|Guiying|Kuei-ying; \
        佳怡|Jiayi|Chia-yi|Kai Yi; 慧|Hui|Wai; 红|Hong|Hung",
    patronymic_male: "",
    patronymic_female: "",
    places: "北京|Beijing|Peking; 上海|Shanghai; 广州|Guangzhou|Canton; 深圳|Shenzhen; \
        天津|Tianjin|Tientsin; 重庆|Chongqing|Chungking; 成都|Chengdu; 武汉|Wuhan; 香港|Hong Kong",
};

pub const CULTURES: &[CultureData] = &[
    RUSSIAN,
    UKRAINIAN,
    GREEK,
    ARABIC,
    CHINESE,
    names_latin::SPANISH,
    names_latin::PORTUGUESE,
    names_latin::GERMAN,
    names_latin::FRENCH,
    names_latin::TURKISH,
    names_latin::POLISH,
    names_latin::ITALIAN,
    names_latin::ENGLISH,
];
