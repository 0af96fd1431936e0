//! Records as the engine keeps them: normalised once on the way in and packed into a few flat
//! vectors, so a million households fit in well under a gigabyte and every comparison later is a
//! comparison of small integers.

use rustc_hash::FxHashMap;

use super::text;

/// One household record as it arrives (from a spreadsheet row or a decrypted registry record).
/// Every field may be empty; nothing here is validated, only normalised, because a record with a
/// mistyped ID number is exactly what identity resolution is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Record<'a> {
    /// The head of household's name.
    pub name: &'a str,
    /// The head's resident identity number, 18 or first-generation 15 characters.
    pub id_number: &'a str,
    pub phone: &'a str,
    /// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD` or `YYYY年M月D日`.
    pub birth_date: &'a str,
    pub village: &'a str,
    pub address: &'a str,
    /// Whatever identifies the other members (their ID numbers, or name and birth date): two
    /// records that share a member are evidence of one household.
    pub members: &'a [&'a str],
}

/// What the check character says about an 18-character ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdState {
    Missing,
    /// 18 characters of digits and `X`, but the check character disagrees: a typo somewhere.
    Invalid,
    Valid,
    /// A first-generation 15-digit number lifted to 18 characters: it never had a check
    /// character, so a typo in it cannot be told from a different number.
    Unchecked,
}

/// A half-open range into one of the arenas.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// The normalised form of one record.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id: [u8; 18],
    pub id_state: IdState,
    /// `yyyymmdd` from the birth-date field, else from a valid ID number; 0 when unknown.
    pub birth: u32,
    /// The birth date was read from the ID number, so it says nothing the ID does not.
    pub birth_from_id: bool,
    /// The phone's digits behind a leading 1 (so leading zeros survive); 0 when missing.
    pub phone: u64,
    /// Index into the village names; `u32::MAX` when missing.
    pub village: u32,
    name: Span,
    pinyin: Span,
    address: Span,
    members: Span,
}

pub(crate) const NO_VILLAGE: u32 = u32::MAX;

/// Interns strings so that equal strings become equal small integers.
#[derive(Debug, Default)]
struct Interner {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }
}

/// Normalised records, addressed by their position (0-based, in the order they were pushed).
#[derive(Debug, Default)]
pub struct Records {
    pub(crate) people: Vec<Person>,
    /// Name characters, pinyin syllable ids and address bigram hashes.
    tokens: Vec<u32>,
    member_keys: Vec<u64>,
    villages: Interner,
    syllables: Interner,
}

impl Records {
    pub fn new() -> Records {
        Records::default()
    }

    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Normalises and stores a record; its index is the number of records pushed before it.
    pub fn push(&mut self, record: &Record<'_>) {
        let (id, id_state) = text::id_number(record.id_number);
        let explicit_birth = text::birth_date(record.birth_date);
        let birth_from_id = explicit_birth == 0 && id_state == IdState::Valid;
        let birth = if birth_from_id {
            text::birth_from_id(&id)
        } else {
            explicit_birth
        };
        let name_text = text::name(record.name);
        let name = self.push_tokens(name_text.chars().map(u32::from));
        let syllables: Vec<u32> = text::pinyin(&name_text)
            .iter()
            .map(|s| self.syllables.intern(s))
            .collect();
        let pinyin = self.push_tokens(syllables);
        let village_text = text::village(record.village);
        let village = if village_text.is_empty() {
            NO_VILLAGE
        } else {
            self.villages.intern(&village_text)
        };
        let address = self.push_tokens(text::address_bigrams(record.address, &village_text));
        let start = self.member_keys.len();
        self.member_keys.extend(
            record
                .members
                .iter()
                .map(|m| text::clean(m))
                .filter(|m| !m.is_empty())
                .map(|m| text::hash_str(&m)),
        );
        let members = span(start, self.member_keys.len());
        self.people.push(Person {
            id,
            id_state,
            birth,
            birth_from_id,
            phone: text::phone(record.phone),
            village,
            name,
            pinyin,
            address,
            members,
        });
    }

    fn push_tokens(&mut self, tokens: impl IntoIterator<Item = u32>) -> Span {
        let start = self.tokens.len();
        self.tokens.extend(tokens);
        span(start, self.tokens.len())
    }

    pub(crate) fn person(&self, i: u32) -> &Person {
        &self.people[i as usize]
    }

    pub(crate) fn name(&self, p: &Person) -> &[u32] {
        &self.tokens[p.name.range()]
    }

    pub(crate) fn pinyin(&self, p: &Person) -> &[u32] {
        &self.tokens[p.pinyin.range()]
    }

    pub(crate) fn address(&self, p: &Person) -> &[u32] {
        &self.tokens[p.address.range()]
    }

    pub(crate) fn members(&self, p: &Person) -> &[u64] {
        &self.member_keys[p.members.range()]
    }

    pub(crate) fn village_name(&self, p: &Person) -> Option<&str> {
        self.villages
            .names
            .get(p.village as usize)
            .map(String::as_str)
    }

    pub(crate) fn syllable(&self, id: u32) -> &str {
        self.syllables
            .names
            .get(id as usize)
            .map_or("", String::as_str)
    }
}

fn span(start: usize, end: usize) -> Span {
    // Arenas stay far below 4 G entries: a million records hold some 30 million tokens.
    Span {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        len: u32::try_from(end - start).unwrap_or(0),
    }
}
