//! From what a frightened person typed to words the rules can read.
//!
//! People in an emergency type fast: lower or upper case, no punctuation, "cant" for "can't", curly
//! apostrophes, "unconcious", Spanish with or without accents. This module turns a message into a
//! list of [`Tok`]s: lower-case ASCII words with accents removed, contractions expanded ("won't" →
//! "will not"), known misspellings corrected (a table, then a cautious edit-distance match against
//! the few words the rules care most about), possessives marked ("Luis's pills"), numbers parsed
//! ("38,5" → 38.5), and each word's [`Concept`] looked up in one lexicon. Clause boundaries (`.`,
//! `,`, `!`, `?`, `;`, "but") limit how far a "not" reaches.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// FNV-1a: the screen hashes a few hundred short words per message, and SipHash was a third of
/// its time. The sets hold one message's words (or the fixed lexicon), so flooding is no concern.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub type FastSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// What a word means to the rules. One word has one concept; the rules also read the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Concept {
    /// not, no, never, without, nor ("can't" becomes "can not").
    Neg,
    /// stop, stopped, quit; Spanish "para".
    Stop,
    /// struggling, hard, trouble, difficulty, labored, unable, barely.
    Struggle,
    Breathe,
    Air,
    Gasp,
    Choke,
    /// blue, grey, purple (of lips or face).
    Blue,
    /// lips, face, mouth, skin, tongue, nails.
    Skin,
    /// turning, went, going, looks (as in "turning blue").
    Turning,
    /// unconscious, unresponsive, fainted, collapsed, lifeless.
    Unconscious,
    Wake,
    Respond,
    /// floppy, limp, lethargic, listless.
    Floppy,
    Move,
    Seize,
    /// "fit" / "fits": a seizure only after "a" or "having".
    Fit,
    /// shaking, jerking, twitching, stiffening.
    Shake,
    Eyes,
    Swell,
    Throat,
    Tight,
    Hives,
    Wheeze,
    Vomit,
    Anaphylaxis,
    Allergic,
    /// swallowed, ate, drank, chewed, ingested, licked: putting something inside.
    Ingest,
    /// took, had, taken: weaker than [`Concept::Ingest`] ("Leo had his amoxicillin").
    Took,
    /// poison, poisoned, overdose, toxic.
    Poison,
    /// bleach, detergent, pods, batteries, magnets, alcohol, vape liquid, lamp oil...
    PoisonObj,
    /// pills, tablets, meds, medicine, vitamins, and common drug names.
    Medicine,
    /// whole, entire, all, bottle, handful, bunch, several.
    Quantity,
    Head,
    /// hit, bumped, banged, fell, knocked: how a head gets hurt.
    Hurt,
    /// drowsy, confused, dazed, dizzy: after a head injury.
    Drowsy,
    Bleed,
    /// lots, heavily, pouring, gushing, spurting, soaked, deep.
    Heavy,
    Burn,
    Drown,
    Water,
    Rash,
    /// blanch, fade, disappear (of a rash under a glass).
    Fade,
    /// purple, petechiae, purpura, pinprick (of spots).
    Petechiae,
    Meningitis,
    Stiff,
    Neck,
    Fever,
    /// nappy, diaper, pee, wee, urine, wet.
    Nappy,
    Hours,
    Kill,
    Die,
    Suicide,
    /// self harm, cutting (herself).
    Cutting,
    Reflexive,
    Abuse,
    Touch,
    Private,
    /// babysitter, dad, uncle, boyfriend, someone: a person who could hurt a child.
    Perpetrator,
    /// hits, beats, slaps, punched, kicked, hurts.
    Beat,
    /// baby, child, kids, son, daughter, him, her.
    ChildWord,
    /// if, in case, signs, symptoms: a question about what might happen, not what is happening.
    Hypothetical,
    /// year, years, months, ago-with-old-units, history: long past.
    Past,
    /// fine, normal, ok, better, again: a recovered state.
    Fine,
    Age,
    Weight,
    /// battery or magnet (dangerous in a nose or ear too).
    Battery,
    Nose,
}

/// One word of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub w: String,
    /// The word's concepts, one bit each (a word can mean two things: "hurt", "purple").
    pub concepts: u128,
    pub clause: u16,
    /// The word carried a possessive "'s" ("Luis's", "grandmas").
    pub possessive: bool,
    pub num: Option<f64>,
}

/// A message as the rules read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub toks: Vec<Tok>,
    /// The words, for "does the message say any of these" without a scan per question.
    pub words: FastSet<String>,
}

#[rustfmt::skip]
/// The lexicon: every word the rules know, with its concept. Spanish words are written without
/// accents, since accents are removed before lookup.
const LEXICON: &[(Concept, &[&str])] = {
    use Concept::*;
    &[
        (Neg, &[
            "not", "no", "never", "without", "nor", "ni", "nothing", "nada", "zero", "sin",
        ]),
        (Stop, &[
            "stop", "stopped", "stops", "stopping", "quit", "para", "paro", "parado", "dejo",
        ]),
        (Struggle, &[
            "struggling", "struggle", "struggles", "struggled", "hard", "harder", "difficult",
            "difficulty", "trouble", "troubled", "labored", "laboured", "laboring", "labouring",
            "unable", "barely", "fighting", "cuesta", "dificultad", "costando", "problems",
            "problem", "heaving", "sucking", "retracting", "retractions", "grunting", "grunts",
        ]),
        (Breathe, &[
            "breathe", "breathing", "breath", "breaths", "breathes", "breathed", "breathin",
            "respira", "respirar", "respirando", "respiracion", "respire", "respiro",
        ]),
        (Air, &[
            "air", "aire",
        ]),
        (Gasp, &[
            "gasping", "gasp", "gasps", "gasped", "jadeando",
        ]),
        (Choke, &[
            "choking", "choke", "chokes", "choked", "atragantado", "atragantada", "atragantando",
            "atraganto", "atraganta", "atragantarse",
        ]),
        (Blue, &[
            "blue", "grey", "gray", "purple", "bluish", "blueish", "greyish", "grayish", "dusky",
            "morado", "morados", "morada", "moradas", "azul", "azules", "gris", "azulado",
            "azulados", "azulada", "azuladas",
        ]),
        (Skin, &[
            "lips", "lip", "face", "mouth", "skin", "nails", "fingers", "fingertips", "labios",
            "labio", "cara", "boca", "piel", "unas",
        ]),
        (Turning, &[
            "turning", "turned", "turn", "turns", "going", "went", "gone", "goes", "looks",
            "looking", "looked", "poniendo", "puso", "pone", "volviendo",
        ]),
        (Unconscious, &[
            "unconscious", "unresponsive", "inconsciente", "desmayado", "desmayada", "desmayo",
            "desmaya", "desmayarse", "fainted", "faint", "fainting", "faints", "collapsed",
            "collapse", "collapses", "collapsing", "lifeless", "comatose", "coma",
            "unconsciousness", "unrousable", "unarousable",
        ]),
        (Wake, &[
            "wake", "waking", "woke", "wakes", "awake", "awaken", "awakened", "rouse", "roused",
            "rousing", "despierta", "despertar", "despierto", "despertando", "despertarlo",
            "despertarla", "wakeup",
        ]),
        (Respond, &[
            "responding", "respond", "responds", "responsive", "response", "reacting", "react",
            "reacts", "responde", "reacciona", "responded", "reaction", "answering",
            "responsiveness",
        ]),
        (Floppy, &[
            "floppy", "limp", "lethargic", "listless", "flacido", "flacida", "aletargado",
            "aletargada", "ragdoll", "lethargy", "flops", "flopped", "flopping", "flojo", "floja",
            "flojito", "flojita",
        ]),
        (Move, &[
            "moving", "move", "moves", "moved", "mueve", "moviendo", "movement",
        ]),
        (Seize, &[
            "seizure", "seizures", "seizing", "seized", "convulsing", "convulsion", "convulsions",
            "convulse", "convulses", "convulsed", "convulsiona", "convulsionando", "convulsiones",
            "convulsionar", "fitting", "epileptic", "postictal",
        ]),
        (Fit, &[
            "fit", "fits",
        ]),
        (Shake, &[
            "shaking", "shakes", "jerking", "jerks", "jerky", "twitching", "twitches", "trembling",
            "temblando", "tiembla", "sacudiendo", "sacude", "spasms", "spasm", "stiffening",
            "stiffened", "rigid", "convulsive", "jerked",
        ]),
        (Eyes, &[
            "eyes", "eye", "ojos", "ojo",
        ]),
        (Swell, &[
            "swelling", "swollen", "swell", "swells", "swelled", "puffy", "puffed", "puffing",
            "hinchado", "hinchada", "hinchando", "hinchazon", "inflamado", "inflamada",
            "hinchados", "hinchadas", "hincha", "swelling", "bloated", "hinchan", "hincho",
            "hincharon", "hinchaba", "hinchandose",
        ]),
        (Throat, &[
            "throat", "garganta", "airway", "tongue", "lengua",
        ]),
        (Tight, &[
            "tight", "tightening", "tighter", "closing", "closed", "cerrando", "cierra", "cerrada",
            "cerro", "cerrado", "cerrandose",
        ]),
        (Hives, &[
            "hives", "welts", "ronchas", "urticaria", "habones",
        ]),
        (Wheeze, &[
            "wheezing", "wheeze", "wheezes", "wheezy", "wheezed", "whistling", "silbido", "silba",
            "pitos", "stridor", "squeaky",
        ]),
        (Vomit, &[
            "vomiting", "vomit", "vomited", "vomits", "puking", "puked", "puke", "pukes",
            "vomitando", "vomito", "vomita", "vomitado", "vomitar", "vomitos", "threw", "throwing", "throws", "sick",
            "vommiting", "vomitting",
        ]),
        (Anaphylaxis, &[
            "anaphylaxis", "anaphylactic", "anafilaxia", "anafilactico", "anafilactica", "epipen",
            "epinephrine", "adrenaline", "auvi", "jext", "epipens", "adrenalina",
        ]),
        (Allergic, &[
            "allergic", "alergia", "alergica", "alergico", "reaction", "reaccion",
        ]),
        (Ingest, &[
            "swallowed", "swallow", "swallowing", "swallows", "ate", "eaten", "eating", "eat",
            "drank", "drunk", "drinking", "chewed", "chewing", "chew", "ingested", "ingest",
            "licked", "licking", "sucked", "gulped", "trago", "tragado", "tragada", "trago",
            "comio", "comido", "bebio", "bebido", "tomo", "tomado", "mordio", "munched", "bit",
            "bitten", "tasted", "swallowd", "injested", "chugged", "sipped", "downed", "sucking",
            "sucks", "mouthing", "chomping",
        ]),
        (Took, &[
            "took", "taken", "had", "taking", "got", "tried", "into",
        ]),
        (Poison, &[
            "poison", "poisoned", "poisoning", "poisonous", "toxic", "overdose", "overdosed", "od",
            "veneno", "envenenado", "envenenada", "intoxicado", "intoxicada", "intoxicacion",
            "sobredosis", "venenoso",
        ]),
        (PoisonObj, &[
            "bleach", "detergent", "pod", "pods", "dishwasher", "laundry", "cleaner", "cleaners",
            "cleaning", "chemical", "chemicals", "lamp", "kerosene", "paraffin", "gasoline",
            "petrol", "diesel", "antifreeze", "lighter", "alcohol", "wine", "beer", "vodka",
            "whiskey", "whisky", "liquor", "tequila", "rum", "gin", "vape", "vapes", "ecig",
            "ecigarette", "cigarette", "cigarettes", "cigarrillo", "nicotine", "tobacco",
            "mouthwash", "perfume", "cologne", "sanitizer", "sanitiser", "acetone", "lye",
            "pesticide", "insecticide", "herbicide", "weedkiller", "fertilizer", "fertiliser",
            "mushroom", "mushrooms", "berries", "edible", "edibles", "thc", "weed", "marijuana",
            "cannabis", "lejia", "cloro", "detergente", "lavavajillas", "ammonia", "drano",
            "lysol", "windex", "clorox", "tide", "thinner", "turpentine", "polish", "remover",
            "eucalyptus", "wintergreen", "camphor", "peroxide", "dettol", "pinesol", "softener",
            "rodenticide", "rat", "juul", "lejias", "amoniaco", "gasolina", "alcol", "liquid",
            "bug", "spray", "oleander", "foxglove", "fabuloso", "lavandina", "suavizante", "soap",
            "shampoo", "bodywash", "degreaser", "oven", "essential", "deodorant", "superglue",
            "batteries", "windshield", "windscreen", "screenwash", "washer", "coolant", "brake",
            "jabon", "desinfectante", "insecticida",
        ]),
        (Medicine, &[
            "pills", "pill", "tablets", "tablet", "capsules", "capsule", "meds", "medicine",
            "medicines", "medication", "medications", "vitamins", "vitamin", "iron", "melatonin",
            "pastillas", "pastilla", "medicina", "medicinas", "medicamento", "medicamentos",
            "pildoras", "pildora", "gummies", "tylenol", "advil", "motrin", "ibuprofen",
            "acetaminophen", "paracetamol", "benadryl", "aspirin", "xanax", "adderall",
            "oxycodone", "oxy", "opioid", "opioids", "fentanyl", "percocet", "antidepressant",
            "antidepressants", "insulin", "clonidine", "methadone", "zyrtec", "claritin",
            "ritalin", "prozac", "zoloft", "lexapro", "valium", "ambien", "sleeping", "patch",
            "patches", "suboxone", "tramadol", "codeine", "ibuprofeno", "aspirina", "calpol",
            "nurofen", "panadol", "prenatal", "diet", "syrup", "antibiotic", "antibiotics",
            "amoxicillin", "amoxil", "augmentin", "cetirizine", "loratadine", "diphenhydramine",
            "prednisone", "prednisolone", "albuterol", "drops", "jarabe", "antibiotico",
            "suppository", "suppositories", "cough",
        ]),
        (Quantity, &[
            "whole", "entire", "all", "bottle", "bottles", "handful", "bunch", "several", "many",
            "box", "pack", "packet", "blister", "lots", "toda", "todo", "todas", "todos", "frasco",
            "bote", "caja", "varias", "varios", "puñado", "container", "jar", "tub", "entero",
            "entera",
        ]),
        (Head, &[
            "head", "skull", "forehead", "cabeza", "frente", "temple",
        ]),
        (Hurt, &[
            "hit", "hits", "bumped", "bump", "banged", "bang", "fell", "fall", "falls", "fallen",
            "knocked", "smacked", "whacked", "struck", "injury", "injured", "golpe", "golpeo",
            "golpeado", "golpeada", "cayo", "caida", "slammed", "cracked", "hurt", "rolled",
            "tumbled", "dropped", "slipped", "crashed", "tripped",
        ]),
        (Drowsy, &[
            "drowsy", "sleepy", "confused", "confusion", "dazed", "dizzy", "disoriented",
            "disorientated", "groggy", "slurring", "slurred", "stumbling", "wobbly", "somnoliento",
            "somnolienta", "confundido", "confundida", "mareado", "mareada", "pupils", "pupil",
            "weird", "strange", "strangely", "oddly", "odd", "funny", "dopey", "zoned", "staring",
            "incoherent",
        ]),
        (Bleed, &[
            "bleeding", "bleed", "bleeds", "bled", "blood", "bloody", "sangra", "sangrando",
            "sangre", "hemorrhage", "haemorrhage", "hemorrhaging", "bleading", "bledding",
            "sangrado", "sangrar",
        ]),
        (Heavy, &[
            "lots", "lot", "heavily", "heavy", "pouring", "gushing", "spurting", "squirting",
            "soaked", "soaking", "everywhere", "deep", "gash", "mucha", "mucho", "chorros",
            "pumping", "profuse", "profusely", "severe", "severely", "tons",
        ]),
        (Burn, &[
            "burn", "burned", "burnt", "burns", "scald", "scalded", "scalding", "scalds",
            "quemadura", "quemo", "quemado", "quemada", "quemaduras", "blistered", "blistering",
        ]),
        (Drown, &[
            "drown", "drowned", "drowning", "drowns", "ahogado", "ahogada", "ahogando", "ahogo",
            "ahoga", "underwater", "submerged", "ahogandose",
        ]),
        (Water, &[
            "water", "pool", "bath", "bathtub", "tub", "lake", "sea", "ocean", "river", "pond",
            "piscina", "agua", "banera", "mar", "rio",
        ]),
        (Rash, &[
            "rash", "spots", "spot", "dots", "marks", "blotches", "blotchy", "sarpullido",
            "manchas", "puntos", "puntitos", "erupcion", "rashes", "speckles", "freckles",
        ]),
        (Fade, &[
            "blanch", "blanching", "blanches", "fade", "fading", "fades", "faded", "disappear",
            "disappears", "desaparece", "desaparecen", "borra", "go",
        ]),
        (Petechiae, &[
            "petechiae", "petechial", "purpura", "purpuric", "pinprick", "pinpricks", "pinpoint",
            "bruises", "bruising", "bruise", "moradas", "moretones", "purple",
        ]),
        (Meningitis, &[
            "meningitis", "sepsis", "septic", "meningococcal", "meningitis",
        ]),
        (Stiff, &[
            "stiff", "rigida", "rigido", "tieso", "tiesa",
        ]),
        (Neck, &[
            "neck", "cuello", "nuca",
        ]),
        (Fever, &[
            "fever", "feverish", "febrile", "temp", "temperature", "fiebre", "calentura", "febril",
            "temperatura", "pyrexia",
        ]),
        (Nappy, &[
            "nappy", "nappies", "diaper", "diapers", "pee", "peed", "peeing", "wee", "urine",
            "urinated", "pañal", "panal", "panales", "pis", "orina", "orinado", "pipi", "wees",
            "wet", "mojado", "mojados", "pees",
        ]),
        (Hours, &[
            "hours", "hrs", "hr", "horas", "hour", "hora",
        ]),
        (Kill, &[
            "kill", "killing", "kills", "matarme", "matarse", "matar", "mate",
        ]),
        (Die, &[
            "die", "dead", "dying", "died", "death", "morir", "morirme", "morirse", "muerto",
            "muerta", "muera", "alive", "live", "living", "vivir",
        ]),
        (Suicide, &[
            "suicide", "suicidal", "suicidio", "suicidarse", "suicidar", "suicida", "selfharm",
        ]),
        (Cutting, &[
            "cutting", "cuts", "cortarse", "corta", "cortando", "harming", "harm", "cut",
            "hurting", "hurts", "burning", "scratching", "hurt", "banging",
        ]),
        (Reflexive, &[
            "myself", "himself", "herself", "themselves", "themself", "yourself", "self",
        ]),
        (Abuse, &[
            "abuse", "abused", "abusing", "abuser", "abusive", "molest", "molested", "molesting",
            "molests", "sexually", "inappropriately", "inappropriate", "neglect", "neglected",
            "abusa", "abuso", "abusado", "abusada", "maltrato", "maltrata", "maltratado",
            "maltratada", "grooming", "groomed", "rape", "raped",
        ]),
        (Touch, &[
            "touches", "touched", "touching", "touch", "toca", "toco", "tocado", "tocando",
            "showed", "shows", "exposed", "flashed", "ensena", "enseno",
        ]),
        (Private, &[
            "private", "privates", "genitals", "crotch", "vagina", "penis", "bottom", "partes",
            "intimas", "secret", "secreto",
        ]),
        (Perpetrator, &[
            "babysitter", "sitter", "dad", "daddy", "father", "mom", "mommy", "mum", "mummy",
            "mother", "stepdad", "stepfather", "stepmom", "stepmother", "boyfriend", "girlfriend",
            "uncle", "aunt", "auntie", "grandpa", "grandma", "grandfather", "grandmother",
            "teacher", "coach", "nanny", "someone", "somebody", "husband", "wife", "partner",
            "neighbor", "neighbour", "cousin", "tio", "tia", "padrastro", "madrastra", "papa",
            "mama", "abuelo", "abuela", "novio", "novia", "vecino", "alguien", "ex", "caregiver",
            "man", "guy", "stranger", "daycare",
        ]),
        (Beat, &[
            "hits", "hitting", "beats", "beat", "beating", "beaten", "slaps", "slapped",
            "slapping", "punched", "punches", "punching", "kicked", "kicks", "kicking", "hurt",
            "shook", "shaken", "strangled", "pega", "pego", "golpea", "pegando", "golpeando",
            "pegaba", "spanks", "whips", "whipped", "burned", "choked", "grabbed", "threw",
            "pushed", "hurting", "hit", "burns", "locks", "locked", "starves", "starved",
            "starving", "ties", "tied", "chokes", "strangles", "hurts", "smacks", "smacked",
            "belt", "pinches", "bites", "shakes", "shaking", "thrown", "throws", "slams",
            "slammed",
        ]),
        (ChildWord, &[
            "baby", "babies", "child", "children", "kid", "kids", "son", "daughter", "toddler",
            "infant", "newborn", "him", "her", "them", "bebe", "nino", "nina", "hijo", "hija",
            "ninos", "hijos", "bub", "lo", "la", "le",
        ]),
        (Hypothetical, &[
            "if", "signs", "symptoms", "sign", "symptom", "si", "incase", "prevent", "avoid",
            "class", "course", "video", "training", "book", "article", "pretend", "pretending",
            "pretended", "game", "games", "roleplay",
        ]),
        (Past, &[
            "year", "years", "yr", "yrs", "history", "neurologist", "since", "ago", "months",
            "month", "anos", "meses", "childhood", "once", "previously", "prior", "epilepsy",
            "usual", "diagnosed", "january", "february", "march", "april", "june", "july",
            "august", "september", "october", "november", "december", "enero", "febrero", "marzo",
            "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
            "diciembre", "ano", "desde", "entonces",
        ]),
        (Fine, &[
            "fine", "normal", "normally", "ok", "okay", "better", "well", "good", "easier", "easy",
            "easily", "steady", "regular", "regularly", "comfortably", "calm", "calmly", "bien",
            "normalmente", "tranquilo", "tranquila", "great", "again", "properly", "peacefully",
            "recovered", "alright",
        ]),
        (Age, &[
            "week", "weeks", "wk", "wks", "weeks", "day", "days", "semanas", "semana", "dias",
            "mo", "mos", "meses", "mes", "old", "newborn", "neonate", "born", "nacido", "nacida",
        ]),
        (Weight, &[
            "kg", "kgs", "kilos", "kilo", "lb", "lbs", "pound", "pounds", "oz", "ounces", "grams",
            "weighs", "weight", "pesa", "peso", "cm", "inches", "tall",
        ]),
        (Battery, &[
            "battery", "batteries", "pila", "pilas", "bateria", "baterias", "magnet", "magnets",
            "iman", "imanes", "buckyballs",
        ]),
        (Nose, &[
            "nose", "nostril", "ear", "nariz", "oido", "oreja",
        ]),
    ]
};

/// Misspellings seen in hurried typing, and their words. The edit-distance match below catches
/// others of the key words; this table holds the ones too far from their word for it.
const SPELLING: &[(&str, &str)] = &[
    ("breating", "breathing"),
    ("breahting", "breathing"),
    ("brething", "breathing"),
    ("breathign", "breathing"),
    ("breth", "breath"),
    ("breahe", "breathe"),
    ("brethe", "breathe"),
    ("breathng", "breathing"),
    ("unconcious", "unconscious"),
    ("unconsious", "unconscious"),
    ("unconscius", "unconscious"),
    ("unconsciuos", "unconscious"),
    ("siezure", "seizure"),
    ("siezures", "seizures"),
    ("seizer", "seizure"),
    ("seisure", "seizure"),
    ("sezure", "seizure"),
    ("seazure", "seizure"),
    ("siezing", "seizing"),
    ("ceasure", "seizure"),
    ("seezure", "seizure"),
    ("sezuire", "seizure"),
    ("choaking", "choking"),
    ("chocking", "choking"),
    ("chokeing", "choking"),
    ("poision", "poison"),
    ("posion", "poison"),
    ("poisen", "poison"),
    ("poisioned", "poisoned"),
    ("posioned", "poisoned"),
    ("swalowed", "swallowed"),
    ("swallowd", "swallowed"),
    ("swolled", "swallowed"),
    ("swalloed", "swallowed"),
    ("swollowed", "swallowed"),
    ("swallod", "swallowed"),
    ("batery", "battery"),
    ("battry", "battery"),
    ("batterys", "batteries"),
    ("batteris", "batteries"),
    ("alergic", "allergic"),
    ("allergick", "allergic"),
    ("anaphalaxis", "anaphylaxis"),
    ("anafalaxis", "anaphylaxis"),
    ("anaphylaxsis", "anaphylaxis"),
    ("anaphylatic", "anaphylactic"),
    ("unresponsve", "unresponsive"),
    ("unresposive", "unresponsive"),
    ("swolen", "swollen"),
    ("swollon", "swollen"),
    ("vomitting", "vomiting"),
    ("vommiting", "vomiting"),
    ("vomting", "vomiting"),
    ("throwup", "vomit"),
    ("puked", "puked"),
    ("bleding", "bleeding"),
    ("bleading", "bleeding"),
    ("blooding", "bleeding"),
    ("convulsing", "convulsing"),
    ("convulsting", "convulsing"),
    ("fiting", "fitting"),
    ("wheazing", "wheezing"),
    ("weezing", "wheezing"),
    ("wheesing", "wheezing"),
    ("diaper", "diaper"),
    ("dipper", "diaper"),
    ("diper", "diaper"),
    ("nappie", "nappy"),
    ("lethargec", "lethargic"),
    ("lathargic", "lethargic"),
    ("letargic", "lethargic"),
    ("meningitus", "meningitis"),
    ("menengitis", "meningitis"),
    ("suicde", "suicide"),
    ("sucide", "suicide"),
    ("suiside", "suicide"),
    ("detergant", "detergent"),
    ("detergen", "detergent"),
    ("bleech", "bleach"),
    ("medecine", "medicine"),
    ("medicin", "medicine"),
    ("tylonol", "tylenol"),
    ("tylenal", "tylenol"),
    ("pils", "pills"),
    ("magents", "magnets"),
    ("magnit", "magnet"),
    ("unconsious", "unconscious"),
    ("respondin", "responding"),
    ("respondng", "responding"),
    ("responsing", "responding"),
    ("wakeing", "waking"),
    ("drowing", "drowning"),
    ("drownding", "drowning"),
    ("drownd", "drowned"),
    ("drownded", "drowned"),
    ("collasped", "collapsed"),
    ("colapsed", "collapsed"),
    ("fanted", "fainted"),
    ("feinted", "fainted"),
    ("scaled", "scalded"),
    ("hieves", "hives"),
    ("asthama", "asthma"),
    ("ecigarette", "ecigarette"),
    ("e", "e"),
    ("babys", "baby"),
    ("bbay", "baby"),
    ("temprature", "temperature"),
    ("tempreture", "temperature"),
    ("temperture", "temperature"),
    ("feaver", "fever"),
    ("fevar", "fever"),
    ("fver", "fever"),
    ("neurologist", "neurologist"),
    ("stiif", "stiff"),
    ("nek", "neck"),
    ("lipps", "lips"),
    ("throught", "throat"),
    ("throat", "throat"),
    ("throt", "throat"),
    ("tounge", "tongue"),
    ("tongu", "tongue"),
    ("pils", "pills"),
    ("pillz", "pills"),
    ("bluw", "blue"),
    ("bleu", "blue"),
    ("flopy", "floppy"),
    ("limpy", "limp"),
    ("breathig", "breathing"),
    ("breatheing", "breathing"),
    ("breahing", "breathing"),
    ("breatjing", "breathing"),
    ("bretahing", "breathing"),
    ("abused", "abused"),
    ("molestd", "molested"),
    ("sufocating", "suffocating"),
];

/// Words the edit-distance match corrects towards: the words a miss would cost most on.
const KEY_WORDS: &[&str] = &[
    "breathing",
    "breathe",
    "unconscious",
    "unresponsive",
    "seizure",
    "seizures",
    "seizing",
    "convulsing",
    "convulsion",
    "choking",
    "swallowed",
    "poisoned",
    "poison",
    "bleeding",
    "anaphylaxis",
    "anaphylactic",
    "swollen",
    "swelling",
    "wheezing",
    "vomiting",
    "fainted",
    "detergent",
    "batteries",
    "battery",
    "magnets",
    "suicide",
    "suicidal",
    "meningitis",
    "lethargic",
    "drowned",
    "drowning",
    "collapsed",
    "responding",
    "breathes",
    "allergic",
    "overdose",
    "overdosed",
    "floppy",
    "gasping",
    "struggling",
    "scalded",
    "petechiae",
    "diaper",
    "diapers",
    "bleach",
    "medicine",
    "unconsciousness",
    "epinephrine",
    "epipen",
    "molested",
    "strangled",
];

/// Ordinary words one edit from a key word: never "corrected" ("cooking" is not "choking").
const NOT_TYPOS: &[&str] = &[
    "cooking",
    "looking",
    "booking",
    "rocking",
    "locking",
    "shocking",
    "clocking",
    "checking",
    "blending",
    "breeding",
    "pleading",
    "needing",
    "feeding",
    "heeding",
    "reading",
    "sleeping",
    "consulting",
    "breather",
    "breathes",
    "swallows",
    "swallower",
    "bleaches",
    "medicines",
    "allergies",
    "allergen",
    "allergens",
    "seizes",
    "drowsing",
    "collected",
    "responded",
    "responsive",
    "breaking",
    "breading",
    "gasoline",
    "stripping",
    "striking",
    "wheeling",
    "vomited",
    "batters",
    "battered",
    "battling",
    "poisons",
    "diapered",
    "magnetic",
    "scolded",
    "scalped",
    "fainter",
    "painted",
    "feinted",
    "fainting",
    "overdue",
    "meetings",
    "choosing",
    "chopping",
    "chocolate",
    "choking",
    "cloning",
    "coking",
    "stroking",
];

/// Endings of drug names (antibiotics, benzodiazepines, opioids, antidepressants, antihistamines,
/// blood-pressure and heart medicines).
const MEDICINE_ENDINGS: &[&str] = &[
    "cillin",
    "mycin",
    "cycline",
    "floxacin",
    "azole",
    "prazole",
    "olol",
    "pril",
    "sartan",
    "statin",
    "azepam",
    "zolam",
    "codone",
    "morphine",
    "profen",
    "izine",
    "tadine",
    "oxetine",
    "traline",
    "triptyline",
    "pramine",
    "done",
    "dipine",
    "formin",
    "phetamine",
    "phenidate",
    "zepam",
    "barbital",
    "thyroxine",
    "sone",
    "olone",
];

const LEVENSHTEIN_MIN_LEN: usize = 6;

static WORDS: LazyLock<FastMap<&'static str, u128>> = LazyLock::new(|| {
    let mut map: FastMap<&'static str, u128> = FastMap::default();
    for (concept, words) in LEXICON {
        for word in *words {
            *map.entry(*word).or_insert(0) |= concept.bit();
        }
    }
    map
});

impl Concept {
    pub const fn bit(self) -> u128 {
        1u128 << (self as u8)
    }
}

impl Tok {
    pub fn has(&self, concept: Concept) -> bool {
        self.concepts & concept.bit() != 0
    }
}

static SPELLINGS: LazyLock<FastMap<&'static str, &'static str>> =
    LazyLock::new(|| SPELLING.iter().copied().collect());

/// The concepts of a word (0 when the lexicon does not know it).
pub fn concepts_of(word: &str) -> u128 {
    WORDS.get(word).copied().unwrap_or(0)
}

fn fold_char(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        '’' | '‘' | '`' | '´' | 'ʼ' => '\'',
        other => other,
    }
}

/// Optimal string alignment distance (edits and adjacent swaps), stopping early past `max`.
fn distance_within(a: &[u8], b: &[u8], max: usize) -> bool {
    // Three rows on the stack: this runs for unknown long words in every message.
    const MAX_LEN: usize = 32;
    if a.len().abs_diff(b.len()) > max || a.len() >= MAX_LEN || b.len() >= MAX_LEN {
        return false;
    }
    let n = b.len();
    let mut prev2 = [0usize; MAX_LEN];
    let mut prev = [0usize; MAX_LEN];
    let mut cur = [0usize; MAX_LEN];
    for (j, cell) in prev.iter_mut().enumerate().take(n + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(prev2[j - 2] + 1);
            }
            cur[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > max {
            return false;
        }
        prev2 = prev;
        prev = cur;
    }
    prev[n] <= max
}

/// The word a hurried spelling stands for: the table first, then one key word within one edit
/// (two for long words) that starts with the same letter. Ordinary words are left alone.
fn correct(word: &str) -> Option<&'static str> {
    if let Some(fixed) = SPELLINGS.get(word) {
        return Some(fixed);
    }
    if word.len() < LEVENSHTEIN_MIN_LEN || WORDS.contains_key(word) || NOT_TYPOS.contains(&word) {
        return None;
    }
    let allowed = if word.len() >= 9 { 2 } else { 1 };
    let bytes = word.as_bytes();
    KEY_WORDS
        .iter()
        .find(|key| {
            key.as_bytes()[0] == bytes[0] && distance_within(bytes, key.as_bytes(), allowed)
        })
        .copied()
}

/// Family words whose bare plural is a possessive in hurried typing ("grandmas pills").
const OWNERS: &[&str] = &[
    "mom",
    "mum",
    "dad",
    "grandma",
    "grandpa",
    "nana",
    "papa",
    "sister",
    "brother",
    "uncle",
    "aunt",
    "auntie",
    "granny",
    "mother",
    "father",
    "nanny",
    "babysitter",
    "neighbor",
    "neighbour",
    "friend",
    "cousin",
    "husband",
    "wife",
    "boyfriend",
    "girlfriend",
    "grandmother",
    "grandfather",
    "roommate",
    "mommy",
    "daddy",
    "gran",
    "grandad",
    "granddad",
];

/// Expands a contraction, or `None` when the word is not one.
fn expand(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "can't" | "cant" | "cannot" => &["can", "not"],
        "won't" | "wont" => &["will", "not"],
        "don't" | "dont" => &["do", "not"],
        "doesn't" | "doesnt" => &["does", "not"],
        "didn't" | "didnt" => &["did", "not"],
        "isn't" | "isnt" => &["is", "not"],
        "aren't" | "arent" => &["are", "not"],
        "wasn't" | "wasnt" => &["was", "not"],
        "weren't" | "werent" => &["were", "not"],
        "hasn't" | "hasnt" => &["has", "not"],
        "haven't" | "havent" => &["have", "not"],
        "hadn't" | "hadnt" => &["had", "not"],
        "couldn't" | "couldnt" => &["could", "not"],
        "wouldn't" | "wouldnt" => &["would", "not"],
        "shouldn't" | "shouldnt" => &["should", "not"],
        "ain't" | "aint" => &["is", "not"],
        "he's" | "hes" => &["he", "is"],
        "she's" | "shes" => &["she", "is"],
        "it's" => &["it", "is"],
        "i'm" | "im" => &["i", "am"],
        "that's" | "thats" => &["that", "is"],
        "what's" | "whats" => &["what", "is"],
        "there's" | "theres" => &["there", "is"],
        "throwup" => &["throw", "up"],
        "passedout" => &["passed", "out"],
        "e-cig" | "e-cigarette" => &["ecig"],
        "self-harm" | "selfharm" => &["self", "harm"],
        _ => return None,
    })
}

/// Blanks out codes and ids ("join 7OD3K-XY9ZQ", "ref B12X"): a chunk where a letter is followed by
/// a digit is not language, and its letters could spell a sign ("od"). A number with its unit
/// ("5ml", "38.5c", "6wk") starts with the digits and stays.
fn without_codes(text: &str) -> std::borrow::Cow<'_, str> {
    let is_code = |chunk: &str| {
        let mut seen_letter = false;
        for c in chunk.chars() {
            if c.is_alphabetic() {
                seen_letter = true;
            } else if c.is_ascii_digit() && seen_letter {
                return true;
            }
        }
        false
    };
    if !text.split_whitespace().any(is_code) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, chunk) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_code(chunk) {
            // Keep the punctuation around it: it may end a clause.
            out.extend(chunk.chars().map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    ' '
                } else {
                    c
                }
            }));
        } else {
            out.push_str(chunk);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Reads a message into words.
pub fn read(text: &str, names: &[String]) -> Doc {
    let mut toks: Vec<Tok> = Vec::with_capacity(32);
    let mut clause: u16 = 0;
    let mut word = String::with_capacity(16);
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_char)
        .collect();
    let folded = without_codes(&folded);
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while i <= chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let in_number = prev.is_ascii_digit() && next.is_ascii_digit();
        let keep = c.is_alphanumeric()
            || (c == '\'' && prev.is_alphabetic())
            || ((c == '.' || c == ',') && in_number)
            || (c == '-' && prev.is_alphabetic() && next.is_alphabetic());
        // A word also ends where letters meet digits ("6wk", "38c", "5ml").
        let kind_change = !word.is_empty()
            && c.is_alphanumeric()
            && prev.is_alphanumeric()
            && (c.is_ascii_digit() != prev.is_ascii_digit());
        if kind_change {
            push_word(&mut toks, &word, clause, names);
            word.clear();
        }
        if keep {
            word.push(if c == ',' { '.' } else { c });
        } else {
            if !word.is_empty() {
                push_word(&mut toks, &word, clause, names);
                word.clear();
            }
            if matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | '\n' | '(' | ')') {
                clause = clause.saturating_add(1);
            }
        }
        i += 1;
    }
    // "but" and "although" start a new clause: "he is breathing but will not wake".
    let mut shift = 0u16;
    for tok in &mut toks {
        if matches!(
            tok.w.as_str(),
            "but" | "although" | "though" | "pero" | "however"
        ) {
            shift += 1;
        }
        tok.clause += shift;
    }
    // "Leo's had his amoxicillin", "Emma's been sick": the 's is "has" or "is", not whose.
    for i in 1..toks.len() {
        if toks[i - 1].possessive
            && matches!(
                toks[i].w.as_str(),
                "had" | "been" | "got" | "gotten" | "taken" | "gone" | "just" | "already" | "done"
            )
        {
            toks[i - 1].possessive = false;
        }
    }
    let words = toks.iter().map(|t| t.w.clone()).collect();
    Doc { toks, words }
}

fn push_word(toks: &mut Vec<Tok>, raw: &str, clause: u16, names: &[String]) {
    let raw = raw.trim_matches(|c| c == '\'' || c == '-');
    if raw.is_empty() {
        return;
    }
    if let Some(words) = expand(raw) {
        for w in words {
            push_plain(toks, w, clause, false, names);
        }
        return;
    }
    let mut possessive = false;
    let mut word = raw;
    if let Some(stem) = raw.strip_suffix("'s").or_else(|| raw.strip_suffix("'")) {
        possessive = true;
        word = stem;
    } else if let Some(stem) = raw.strip_suffix('s') {
        if OWNERS.contains(&stem) || names.iter().any(|n| n == stem) {
            possessive = true;
            word = stem;
        }
    }
    let word = word.replace('\'', "");
    // Hyphenated words are read as their parts ("e-cig" aside): "non-blanching", "self-harm".
    if word.contains('-') {
        let joined = word.replace('-', "");
        if WORDS.contains_key(joined.as_str()) || SPELLINGS.contains_key(joined.as_str()) {
            push_plain(toks, &joined, clause, possessive, names);
        } else {
            for part in word.split('-').filter(|p| !p.is_empty()) {
                push_plain(toks, part, clause, possessive, names);
            }
        }
        return;
    }
    push_plain(toks, &word, clause, possessive, names);
}

fn push_plain(toks: &mut Vec<Tok>, word: &str, clause: u16, possessive: bool, names: &[String]) {
    let num = if word.starts_with(|c: char| c.is_ascii_digit()) {
        word.parse::<f64>().ok()
    } else {
        None
    };
    let w = match correct(word) {
        Some(fixed) => fixed.to_string(),
        None => word.to_string(),
    };
    let mut concepts = concepts_of(&w);
    if names.contains(&w) {
        concepts |= Concept::ChildWord.bit();
    }
    // Drug names the lexicon does not list still read as medicines by their endings
    // (amoxicillin, azithromycin, lorazepam, oxycodone, sertraline, cetirizine...).
    if MEDICINE_ENDINGS
        .iter()
        .any(|e| w.len() > e.len() + 2 && w.ends_with(e))
    {
        concepts |= Concept::Medicine.bit();
    }
    toks.push(Tok {
        w,
        concepts,
        clause,
        possessive,
        num,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        read(text, &[]).toks.into_iter().map(|t| t.w).collect()
    }

    #[test]
    fn normalises_case_punctuation_contractions_and_accents() {
        assert_eq!(words("He CAN’T breathe!!"), ["he", "can", "not", "breathe"]);
        assert_eq!(words("wont wake up"), ["will", "not", "wake", "up"]);
        assert_eq!(words("se tragó una pila"), ["se", "trago", "una", "pila"]);
        assert_eq!(words("temp 38,5"), ["temp", "38.5"]);
        assert_eq!(words("6wk old 38c"), ["6", "wk", "old", "38", "c"]);
    }

    #[test]
    fn corrects_misspellings_but_not_ordinary_words() {
        assert_eq!(words("unconcious"), ["unconscious"]);
        assert_eq!(words("breathign"), ["breathing"]);
        assert_eq!(words("convulsimg"), ["convulsing"]);
        assert_eq!(words("cooking"), ["cooking"]);
        assert_eq!(words("consulting"), ["consulting"]);
    }

    #[test]
    fn codes_are_not_words_but_numbers_with_units_are() {
        assert_eq!(words("join 7OD3K-XY9ZQ"), ["join"]);
        assert_eq!(words("join AB2SOS-4KMNP now"), ["join", "now"]);
        assert_eq!(
            words("5ml at 9:30, 38.5c"),
            ["5", "ml", "at", "9", "30", "38.5", "c"]
        );
    }

    #[test]
    fn marks_possessives() {
        let doc = read("took 3 of Luis's pills", &["luis".into()]);
        assert!(doc.toks.iter().any(|t| t.w == "luis" && t.possessive));
        // "Leo's had" is "Leo has had".
        let doc = read("Leo's had 5ml of his amoxicillin", &[]);
        assert!(doc.toks.iter().all(|t| !t.possessive));
        let doc = read("grandmas pills", &[]);
        assert!(doc.toks.iter().any(|t| t.w == "grandma" && t.possessive));
    }

    #[test]
    fn clauses_end_at_punctuation_and_but() {
        let doc = read("she is not choking, just coughing but fine", &[]);
        let clause = |w: &str| doc.toks.iter().find(|t| t.w == w).map(|t| t.clause);
        assert_eq!(clause("not"), clause("choking"));
        assert_ne!(clause("choking"), clause("coughing"));
        assert_ne!(clause("coughing"), clause("fine"));
    }
}
