"""The seed tag taxonomy: slugs (an interface: CLI, CSV, audiences), names and keywords.

Keywords feed auto-tagging of questions; Khmer keywords are whole words as a Khmer
segmenter returns them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedTag:
    slug: str
    name_en: str
    name_km: str
    keywords_en: tuple[str, ...]
    keywords_km: tuple[str, ...]


TAGS: tuple[SeedTag, ...] = (
    SeedTag(
        "software-dev",
        "Software development",
        "ការអភិវឌ្ឍកម្មវិធី",
        ("software", "programming", "code", "python", "java", "developer", "git"),
        ("កម្មវិធី", "សរសេរកូដ", "កូដ", "អ្នកអភិវឌ្ឍ"),
    ),
    SeedTag(
        "web",
        "Web",
        "គេហទំព័រ",
        ("web", "website", "html", "css", "javascript", "frontend", "backend"),
        ("គេហទំព័រ", "វេបសាយ", "អ៊ីនធឺណិត"),
    ),
    SeedTag(
        "mobile",
        "Mobile apps",
        "កម្មវិធីទូរស័ព្ទ",
        ("mobile", "android", "ios", "app", "flutter", "kotlin", "swift"),
        ("ទូរស័ព្ទ", "ទូរស័ព្ទដៃ", "កម្មវិធីទូរស័ព្ទ"),
    ),
    SeedTag(
        "data",
        "Data",
        "ទិន្នន័យ",
        ("data", "database", "sql", "analytics", "statistics", "excel"),
        ("ទិន្នន័យ", "មូលដ្ឋានទិន្នន័យ", "ស្ថិតិ", "វិភាគ"),
    ),
    SeedTag(
        "ai",
        "Artificial intelligence",
        "បញ្ញាសិប្បនិម្មិត",
        ("ai", "artificial", "intelligence", "machine", "learning", "model", "llm"),
        ("បញ្ញាសិប្បនិម្មិត", "បញ្ញា", "សិប្បនិម្មិត", "ម៉ាស៊ីន"),
    ),
    SeedTag(
        "cybersecurity",
        "Cybersecurity",
        "សន្តិសុខតាមប្រព័ន្ធអ៊ីនធឺណិត",
        ("security", "cybersecurity", "hacking", "password", "malware", "phishing"),
        ("សន្តិសុខ", "សុវត្ថិភាព", "ពាក្យសម្ងាត់", "មេរោគ"),
    ),
    SeedTag(
        "networking",
        "Networks & telecom",
        "បណ្ដាញ និងទូរគមនាគមន៍",
        ("network", "networking", "telecom", "router", "wifi", "4g", "5g", "fiber"),
        ("បណ្ដាញ", "ទូរគមនាគមន៍", "អ៊ីនធឺណិត"),
    ),
    SeedTag(
        "cloud",
        "Cloud & DevOps",
        "ក្លោដ និង DevOps",
        ("cloud", "devops", "server", "docker", "kubernetes", "aws", "hosting"),
        ("ក្លោដ", "ម៉ាស៊ីនមេ", "សឺវើ"),
    ),
    SeedTag(
        "digital-gov",
        "Digital government",
        "រដ្ឋាភិបាលឌីជីថល",
        ("government", "egov", "public", "service", "ministry"),
        ("រដ្ឋាភិបាល", "ឌីជីថល", "សេវាសាធារណៈ", "ក្រសួង"),
    ),
    SeedTag(
        "ecommerce",
        "E-commerce & fintech",
        "ពាណិជ្ជកម្មអេឡិចត្រូនិក និងបច្ចេកវិទ្យាហិរញ្ញវត្ថុ",
        ("ecommerce", "fintech", "payment", "bank", "khqr", "bakong", "shop"),
        ("ពាណិជ្ជកម្ម", "ទូទាត់", "ធនាគារ", "ហិរញ្ញវត្ថុ", "បាគង"),
    ),
    SeedTag(
        "design",
        "UX/UI design",
        "ការរចនា UX/UI",
        ("design", "ux", "ui", "figma", "interface", "usability"),
        ("រចនា", "ការរចនា", "ចំណុចប្រទាក់"),
    ),
    SeedTag(
        "iot",
        "Internet of things",
        "អ៊ីនធឺណិតនៃវត្ថុ",
        ("iot", "sensor", "arduino", "raspberry", "device", "embedded"),
        ("ឧបករណ៍", "សេនស័រ", "វត្ថុ"),
    ),
    SeedTag(
        "blockchain",
        "Blockchain",
        "ប្លុកឆេន",
        ("blockchain", "crypto", "token", "ledger", "smart", "contract"),
        ("ប្លុកឆេន", "គ្រីបតូ"),
    ),
    SeedTag(
        "digital-marketing",
        "Digital marketing",
        "ទីផ្សារឌីជីថល",
        ("marketing", "seo", "social", "media", "facebook", "tiktok", "ads"),
        ("ទីផ្សារ", "ផ្សព្វផ្សាយ", "បណ្ដាញសង្គម", "ពាណិជ្ជកម្ម"),
    ),
    SeedTag(
        "policy",
        "ICT policy & regulation",
        "គោលនយោបាយ និងបទប្បញ្ញត្តិ ICT",
        ("policy", "regulation", "law", "compliance", "license", "privacy"),
        ("គោលនយោបាយ", "បទប្បញ្ញត្តិ", "ច្បាប់", "អាជ្ញាប័ណ្ណ"),
    ),
    SeedTag(
        "startups",
        "Startups",
        "ការបង្កើតអាជីវកម្មថ្មី",
        ("startup", "startups", "founder", "investment", "pitch", "business"),
        ("អាជីវកម្ម", "វិនិយោគ", "សហគ្រិន"),
    ),
    SeedTag(
        "education",
        "Digital skills & education",
        "ជំនាញឌីជីថល និងការអប់រំ",
        ("education", "training", "course", "teaching", "school", "skills"),
        ("ការអប់រំ", "បណ្ដុះបណ្ដាល", "វគ្គសិក្សា", "ជំនាញ", "សាលា"),
    ),
    SeedTag(
        "khmer-computing",
        "Khmer computing",
        "កុំព្យូទ័រភាសាខ្មែរ",
        ("khmer", "unicode", "font", "nlp", "keyboard", "localization"),
        ("ខ្មែរ", "យូនីកូដ", "ពុម្ពអក្សរ", "អក្សរ", "ក្ដារចុច"),
    ),
)

SLUGS = tuple(t.slug for t in TAGS)
