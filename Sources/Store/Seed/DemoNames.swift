/// Word lists for the fictitious demo consortium. Place names are invented; personal names are common given
/// and family names from many languages, combined at random, so no generated person is a real one.
enum DemoNames {
    static let givenNames = [
        "Amina", "Lucas", "Mei", "Arjun", "Sofia", "Kwame", "Elena", "Hiroshi", "Fatima", "Mateo", "Ananya", "Jonas", "Leila",
        "Tomás", "Yuki", "Oluwaseun", "Ingrid", "Rahul", "Camila", "Dmitri", "Noura", "Pierre", "Thandiwe", "Wei", "Isabel",
        "Kofi", "Sana", "Henrik", "Priya", "Diego", "Aylin", "Chen", "Marta", "Tariq", "Nadia", "Emeka", "Lina", "Rafael",
        "Hana", "Samuel", "Zeynep", "Andrés", "Aiko", "Bilal", "Clara", "Duc", "Esther", "Farid", "Greta", "Ibrahim",
        "Julia", "Kenji", "Laila", "Miguel", "Nia", "Omar", "Paula", "Quang", "Rosa", "Sipho", "Tanvi", "Ugo", "Vera",
        "Wanjiru", "Xavier", "Yasmin", "Zhang", "Aurélie", "Bogdan", "Chiara", "Dalia", "Eero", "Folake", "Gustavo", "Hyejin",
    ]

    static let familyNames = [
        "Okafor", "Moreau", "Tanaka", "Sharma", "García", "Mensah", "Kowalski", "Nguyen", "Haddad", "Silva", "Müller",
        "Ivanova", "Rahman", "Rossi", "Kim", "Adeyemi", "Lindqvist", "Patel", "Fernández", "Novak", "Hassan", "Dubois",
        "Nakamura", "Banerjee", "Costa", "Osei", "Petrov", "Yilmaz", "Wang", "Santos", "Eriksen", "Mwangi", "Kaur",
        "Lefebvre", "Popescu", "Abdullah", "Horvath", "Ito", "Mendoza", "Ndlovu", "Oliveira", "Park", "Quispe", "Rao",
        "Schmidt", "Tran", "Usman", "Vasquez", "Watanabe", "Xu", "Yamamoto", "Zhou", "Amari", "Bianchi", "Chatterjee",
        "Diallo", "Estrada", "Fischer", "Gomes", "Hoang",
    ]

    static let placeStarts = [
        "Val", "Kest", "Or", "Bran", "Lum", "Tarr", "Ess", "Mar", "Quor", "Wyn", "Sel", "Dun", "Ard", "Fen", "Gal", "Hal",
        "Isk", "Jor", "Kal", "Lor", "Mir", "Nor", "Oss", "Pell", "Rav", "Sten", "Thal", "Umb", "Vel", "Zar",
    ]

    static let placeEnds = [
        "mora", "haven", "vell", "dale", "wick", "ford", "ora", "stad", "ingen", "mouth", "field", "bury", "gard", "polis",
        "ton", "ria", "enne", "holm", "ara", "ville",
    ]

    /// Fifty countries, weighted towards where BigScience's participants came from.
    static let countries = [
        "FR", "US", "DE", "GB", "IN", "CN", "CA", "ES", "IT", "NL", "CH", "JP", "KR", "BR", "NG", "KE", "ZA", "EG", "MA",
        "SN", "GH", "ET", "RW", "VN", "ID", "TH", "PH", "PK", "BD", "IL", "TR", "SA", "AE", "IR", "RU", "UA", "PL", "CZ",
        "SE", "FI", "DK", "NO", "BE", "IE", "PT", "AR", "CO", "MX", "AU", "SG",
    ]

    static let groups: [(name: String, charter: String)] = [
        ("Tokenization", "Design and evaluate the shared multilingual tokenizer: vocabulary size, pre-tokenization, fertility across languages."),
        ("Architecture & Scaling", "Choose the model architecture and scaling recipe through ablations on smaller models before the large run."),
        ("Carbon Footprint", "Measure and report the energy use and emissions of training and evaluation, and how to reduce them."),
        ("Evaluation", "Define the evaluation suites, run them on every shared checkpoint, and publish results with their uncertainty."),
        ("Data Sourcing", "Identify, document and collect the multilingual training sources, with the communities that speak each language."),
        ("Data Governance", "Set the rules for how data is hosted, shared and removed, and the roles of data custodians and rights holders."),
        ("Legal & Ethical Scholarship", "Study the legal and ethical questions of large language models and write the model's license."),
        ("Biomedical", "Build biomedical datasets and evaluations, and study what the model knows and gets wrong in medicine."),
        ("Multilinguality", "Make the model serve many languages well: balance of training data, evaluation per language, failure analysis."),
        ("Prompt Engineering", "Collect and write prompts for many tasks and languages, and study multitask prompted fine-tuning."),
        ("Model Card", "Write the model card: intended use, limitations, evaluation, training data and environmental impact."),
        ("Retrieval", "Evaluate and improve sentence embeddings and retrieval for the consortium's languages."),
        ("Interpretability", "Understand what the model has learned: probing, attribution, and analysis of attention and neurons."),
        ("Engineering", "Keep training running on the supercomputer: parallelism, checkpointing, monitoring and restarts."),
        ("Extrinsic Evaluation", "Evaluate the model on downstream applications with partner organisations and their users."),
        ("Social Impact", "Study who benefits from and who is harmed by the model, and engage the communities affected."),
    ]
}
