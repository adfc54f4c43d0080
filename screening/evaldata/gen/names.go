package main

// Common real-world names for the negative half of the evaluation set. They
// were written by hand from public lists of frequent given names and surnames
// per region; none was chosen by looking at the sanctions lists. Names that
// happen to coincide with a list name are removed by the generator (see
// exclusion in main.go), not here.

// region is one naming tradition: given names, surnames and how many people
// to draw from it; triple is the share of names written with a second given
// name or a second surname (as the tradition commonly does).
type region struct {
	name    string
	given   []string
	surname []string
	count   int
	triple  float64
	// order "sg" writes surname first (East Asian usage), "gs" given first.
	order string
}

var regions = []region{
	{
		name: "us_uk", count: 140, triple: 0.15, order: "gs",
		given: []string{"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
			"Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin",
			"Brian", "George", "Edward", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen",
			"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
			"Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Emily", "Donna", "Michelle", "Carol",
			"Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Laura", "Sharon", "Cynthia", "Kathleen", "Amy",
			"Oliver", "Harry", "Jack", "Charlie", "Olivia", "Amelia", "Isla", "Sophie", "Chloe", "Megan"},
		surname: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
			"Thomas", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
			"Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
			"Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
			"Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed",
			"Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks",
			"Hughes", "Price", "Bennett", "Gray", "Powell", "Foster", "Sanders", "Butler", "Barnes", "Fisher"},
	},
	{
		name: "hispanic", count: 140, triple: 0.45, order: "gs",
		given: []string{"José", "Juan", "Luis", "Carlos", "Jorge", "Manuel", "Francisco", "Antonio", "Miguel", "Pedro",
			"Alejandro", "Fernando", "Ricardo", "Eduardo", "Javier", "Roberto", "Sergio", "Raúl", "Andrés", "Diego",
			"Héctor", "Mario", "Pablo", "Rafael", "Enrique", "Álvaro", "Gustavo", "Óscar", "Ramón", "Julio",
			"María", "Ana", "Carmen", "Lucía", "Sofía", "Isabel", "Laura", "Elena", "Patricia", "Rosa",
			"Gabriela", "Daniela", "Valentina", "Camila", "Mariana", "Paula", "Verónica", "Adriana", "Claudia", "Teresa",
			"Guadalupe", "Alejandra", "Beatriz", "Silvia", "Natalia", "Mónica", "Lorena", "Cristina", "Pilar", "Marta"},
		surname: []string{"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres",
			"Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Morales", "Cruz", "Ortiz", "Gutiérrez", "Chávez",
			"Ramos", "Ruiz", "Jiménez", "Mendoza", "Álvarez", "Castillo", "Romero", "Herrera", "Medina", "Aguilar",
			"Vargas", "Castro", "Guzmán", "Fernández", "Moreno", "Muñoz", "Rojas", "Navarro", "Domínguez", "Vázquez",
			"Suárez", "Molina", "Delgado", "Ortega", "Peña", "Salazar", "Cabrera", "Campos", "Vega", "Núñez",
			"Cortés", "Ríos", "Soto", "Contreras", "Guerrero", "Sandoval", "Espinoza", "Acosta", "Figueroa", "Luna"},
	},
	{
		// Kenyan (Kikuyu, Luo, Luhya, Kalenjin, Kamba, coastal), Ugandan,
		// Tanzanian, Ethiopian and Somali names.
		name: "east_african", count: 150, triple: 0.25, order: "gs",
		given: []string{"Wanjiru", "Wambui", "Njeri", "Wairimu", "Nyambura", "Achieng", "Akinyi", "Atieno", "Adhiambo", "Awino",
			"Chebet", "Jepkosgei", "Cherono", "Mwikali", "Nduku", "Kanini", "Nafula", "Nekesa", "Auma", "Zawadi",
			"Baraka", "Kamau", "Mwangi", "Kariuki", "Otieno", "Ochieng", "Odhiambo", "Onyango", "Kiprono", "Kipchoge",
			"Kibet", "Kiprop", "Mutua", "Musyoka", "Wekesa", "Wafula", "Juma", "Hamisi", "Bakari", "Kioko",
			"Brian", "Kevin", "Dennis", "Faith", "Mercy", "Grace", "Joyce", "Caroline", "Esther", "Peter",
			"Abebe", "Tesfaye", "Girma", "Mulugeta", "Alemayehu", "Tigist", "Meseret", "Hiwot", "Yohannes", "Dawit",
			"Abdi", "Abdirahman", "Hodan", "Faduma", "Sahra", "Nakato", "Nabirye", "Okello", "Mugisha", "Tumusiime"},
		surname: []string{"Kamau", "Mwangi", "Njoroge", "Kariuki", "Githinji", "Wanjiku", "Maina", "Kimani", "Ngugi", "Muthoni",
			"Otieno", "Ochieng", "Odhiambo", "Onyango", "Owino", "Omondi", "Okoth", "Oduor", "Ouma", "Wekesa",
			"Wafula", "Barasa", "Simiyu", "Kiprotich", "Cheruiyot", "Kipkemboi", "Rotich", "Koech", "Langat", "Kirui",
			"Mutua", "Musyoka", "Kilonzo", "Mutiso", "Nzioka", "Kiplagat", "Chepkoech", "Mbugua", "Gitau", "Njenga",
			"Mwakyusa", "Massawe", "Mrema", "Kimaro", "Msuya", "Mollel", "Mushi", "Lyimo", "Kisanga", "Swai",
			"Bekele", "Tadesse", "Haile", "Gebremedhin", "Wolde", "Tesfaye", "Kebede", "Ssempijja", "Mukasa", "Byaruhanga",
			"Warsame", "Farah", "Jama", "Egal", "Nur", "Aden", "Dualeh", "Hirsi", "Okello", "Tumusiime"},
	},
	{
		// Yoruba, Igbo, Hausa, Akan, Ewe, Wolof and Mandinka names.
		name: "west_african", count: 140, triple: 0.2, order: "gs",
		given: []string{"Adebayo", "Oluwaseun", "Olumide", "Babatunde", "Adewale", "Temitope", "Funmilayo", "Folake", "Yetunde", "Bukola",
			"Chukwuemeka", "Chinedu", "Obinna", "Ifeanyi", "Nnamdi", "Chiamaka", "Ngozi", "Adaeze", "Chioma", "Uchenna",
			"Abubakar", "Aminu", "Musa", "Bello", "Sani", "Hauwa", "Zainab", "Halima", "Aisha", "Usman",
			"Kwame", "Kofi", "Kwabena", "Kwaku", "Yaw", "Kojo", "Ama", "Akosua", "Abena", "Efua",
			"Mamadou", "Ousmane", "Moussa", "Ibrahima", "Cheikh", "Aminata", "Fatou", "Awa", "Mariama", "Seydou",
			"Emmanuel", "Samuel", "Daniel", "Blessing", "Precious", "Victoria", "Esther", "Godwin", "Sunday", "Patience"},
		surname: []string{"Adeyemi", "Ogunleye", "Adebayo", "Olawale", "Okafor", "Okonkwo", "Nwosu", "Eze", "Obi", "Chukwu",
			"Nwachukwu", "Okoro", "Ibe", "Uzoma", "Onyekachi", "Bello", "Abdullahi", "Garba", "Danjuma", "Yakubu",
			"Suleiman", "Lawal", "Mohammed", "Balogun", "Adeleke", "Oyelaran", "Akinola", "Babalola", "Ogunbiyi", "Afolabi",
			"Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah", "Agyeman", "Ofori", "Darko", "Amoah",
			"Annan", "Quaye", "Tetteh", "Agbeko", "Diallo", "Ndiaye", "Diop", "Fall", "Sow", "Ba",
			"Camara", "Traoré", "Keita", "Coulibaly", "Touré", "Sissoko", "Konaté", "Ouédraogo", "Kaboré", "Sawadogo"},
	},
	{
		// Levantine, Gulf, Egyptian, Iraqi and Maghrebi names, in the
		// spellings their bearers commonly use in Latin script.
		name: "arabic", count: 130, triple: 0.2, order: "gs",
		given: []string{"Ahmed", "Mohamed", "Mahmoud", "Mostafa", "Khaled", "Tarek", "Karim", "Amr", "Hany", "Sherif",
			"Rami", "Fadi", "Ziad", "Wael", "Bassam", "Nabil", "Samir", "Walid", "Majed", "Fahad",
			"Sultan", "Nayef", "Turki", "Badr", "Mazen", "Hisham", "Tamer", "Ayman", "Osama", "Yasser",
			"Fatima", "Mariam", "Noura", "Layla", "Rania", "Dina", "Hala", "Rana", "Reem", "Lina",
			"Salma", "Yasmin", "Nadia", "Hoda", "Mona", "Amira", "Dalia", "Ghada", "Samira", "Hanan",
			"Youssef", "Omar", "Hamza", "Anas", "Bilal", "Zakaria", "Adil", "Rachid", "Mehdi", "Soufiane"},
		surname: []string{"Haddad", "Khoury", "Mansour", "Nasser", "Saleh", "Hamdan", "Khalil", "Farouk", "Aziz", "Salem",
			"Qasim", "Darwish", "Habib", "Sabbagh", "Jaber", "Bitar", "Hakim", "Najjar", "Shami", "Masri",
			"Abdelaziz", "Fawzi", "Ghanem", "Zein", "Rizk", "Shehata", "Soliman", "Fahmy", "Gamal", "Lotfy",
			"Othman", "Al Otaibi", "Al Shehri", "Al Qahtani", "Al Ghamdi", "Al Harbi", "Al Mutairi", "Al Dosari", "Al Zahrani", "Al Anazi",
			"Al Mansouri", "Al Nuaimi", "Al Suwaidi", "Al Marzouqi", "Al Ali", "Benali", "Bennani", "El Idrissi", "Alaoui", "Tazi",
			"Chraibi", "Benjelloun", "Bouazizi", "Trabelsi", "Hammami", "Mejri", "Belkacem", "Boudiaf", "Haddadi", "Cherif"},
	},
	{
		// North and South Indian, Pakistani, Bangladeshi and Sri Lankan names.
		name: "south_asian", count: 140, triple: 0.2, order: "gs",
		given: []string{"Rahul", "Amit", "Rohit", "Vikram", "Arjun", "Sanjay", "Rajesh", "Suresh", "Ramesh", "Anil",
			"Deepak", "Manoj", "Vijay", "Arun", "Karthik", "Pradeep", "Naveen", "Srinivas", "Venkatesh", "Harish",
			"Priya", "Anjali", "Pooja", "Neha", "Sneha", "Kavya", "Divya", "Lakshmi", "Sunita", "Meena",
			"Imran", "Asif", "Faisal", "Bilal", "Usman", "Hamza", "Ayesha", "Sana", "Hina", "Saima",
			"Tanvir", "Rafiq", "Shahidul", "Nasrin", "Farhana", "Sadia", "Kamal", "Nuwan", "Chaminda", "Dilshan",
			"Aarav", "Vivaan", "Aditya", "Ishaan", "Siddharth", "Ananya", "Diya", "Ishita", "Riya", "Nikhil"},
		surname: []string{"Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Mehta", "Joshi", "Agarwal",
			"Reddy", "Rao", "Naidu", "Iyer", "Iyengar", "Nair", "Menon", "Pillai", "Krishnan", "Subramanian",
			"Chatterjee", "Banerjee", "Mukherjee", "Das", "Bose", "Sen", "Ghosh", "Chowdhury", "Dutta", "Roy",
			"Desai", "Kulkarni", "Deshpande", "Patil", "Jadhav", "Pandey", "Mishra", "Tiwari", "Yadav", "Chauhan",
			"Malik", "Butt", "Chaudhry", "Qureshi", "Siddiqui", "Sheikh", "Awan", "Mirza", "Rahman", "Hossain",
			"Islam", "Akter", "Begum", "Uddin", "Perera", "Fernando", "Silva", "Jayasinghe", "Bandara", "Wickramasinghe"},
	},
	{
		// Chinese (pinyin), Korean (South Korean spellings), Japanese and
		// Vietnamese names, family name first as their bearers write them.
		name: "east_asian", count: 140, triple: 0.0, order: "sg",
		given: []string{"Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Jun", "Hui", "Xiaoming", "Xiuying",
			"Yong", "Jie", "Tao", "Ming", "Chao", "Xin", "Yu", "Hao", "Lina", "Ping",
			"Min-jun", "Seo-yeon", "Ji-ho", "Ji-woo", "Ha-eun", "Do-yoon", "Seo-jun", "Su-bin", "Ye-jin", "Hyun-woo",
			"Hiroshi", "Takashi", "Kenji", "Yuki", "Haruto", "Sota", "Yui", "Aoi", "Sakura", "Naoko",
			"Anh", "Linh", "Huong", "Minh", "Tuan", "Thanh", "Hoa", "Lan", "Duc", "Quang"},
		surname: []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
			"Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao",
			"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
			"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
			"Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do"},
	},
	{
		// Russian, Ukrainian, Polish, Czech, Serbian and Bulgarian names.
		name: "slavic", count: 140, triple: 0.15, order: "gs",
		given: []string{"Ivan", "Dmitry", "Sergey", "Andrey", "Alexey", "Nikolai", "Pavel", "Mikhail", "Vladislav", "Oleg",
			"Igor", "Maxim", "Artem", "Roman", "Denis", "Yaroslav", "Bogdan", "Taras", "Oleksandr", "Mykola",
			"Piotr", "Krzysztof", "Tomasz", "Pawel", "Marcin", "Jakub", "Lukasz", "Jan", "Petr", "Jiri",
			"Milan", "Nikola", "Marko", "Stefan", "Dragan", "Georgi", "Dimitar", "Hristo", "Stoyan", "Zoran",
			"Olga", "Tatiana", "Natalia", "Elena", "Irina", "Svetlana", "Anna", "Ekaterina", "Yulia", "Marina",
			"Oksana", "Halyna", "Agnieszka", "Katarzyna", "Magdalena", "Zuzana", "Jana", "Milica", "Jelena", "Desislava"},
		surname: []string{"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov", "Mikhailov", "Novikov", "Fedorov",
			"Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov", "Kozlov", "Stepanov", "Nikolaev",
			"Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Oliynyk", "Shevchuk", "Polishchuk", "Lysenko", "Marchenko",
			"Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski", "Zielinski", "Szymanski", "Wozniak",
			"Novak", "Svoboda", "Novotny", "Dvorak", "Cerny", "Jovanovic", "Petrovic", "Nikolic", "Markovic", "Djordjevic",
			"Georgiev", "Dimitrov", "Todorov", "Stoyanov", "Hristov", "Angelov", "Kolev", "Yordanov", "Iliev", "Marinov"},
	},
}

// Company-style names: a distinctive word, a line of business and a legal
// form, the way small trading companies, shops and firms are named anywhere.
var (
	companyWords = []string{"Sunrise", "Golden", "Blue Ocean", "Summit", "Pioneer", "Savannah", "Kilimanjaro", "Acacia", "Lakeside", "Evergreen",
		"Horizon", "Pacific", "Atlas", "Phoenix", "Crescent", "Baobab", "Unity", "Royal", "Prime", "Silverline",
		"Greenfield", "Riverside", "Northstar", "Bright Future", "Maple", "Cedar", "Diamond", "Eagle", "Falcon", "Harmony",
		"Jubilee", "Lotus", "Meridian", "Nile", "Oasis", "Pinnacle", "Rainbow", "Sahara", "Tulip", "Victoria",
		"Zenith", "Amani", "Upendo", "Harambee", "Tumaini", "Jambo", "Karibu", "Mwanga", "Nyota", "Safari",
		"Lagos", "Accra", "Nairobi", "Mombasa", "Kampala", "Delta", "Sapphire", "Emerald", "Orchid", "Sterling"}
	companyLines = []string{"Trading", "Logistics", "Holdings", "Enterprises", "Motors", "Foods", "Pharmaceuticals", "Textiles", "Construction", "Agro",
		"Farms", "Properties", "Investments", "Consulting", "Electronics", "Hardware", "Supplies", "Bakery", "Dairy", "Transport",
		"Travel", "Printers", "Furniture", "Beverages", "Solar", "Pharmacy", "Hotels", "Media", "Packaging", "Plastics",
		"Garments", "Auto Spares", "Cosmetics", "Stationers", "Water", "Catering", "Security Services", "Cleaning Services", "Real Estate", "Microfinance"}
	negativeForms = []string{"Ltd", "Limited", "LLC", "Inc.", "Co. Ltd", "S.A.", "GmbH", "PLC", "Pty Ltd", "", "", "Company", "& Sons", "Group", "Sdn Bhd", "S.A. de C.V.", "B.V.", "SARL"}
)

// companyCount is how many company-style names to draw.
const companyCount = 360
