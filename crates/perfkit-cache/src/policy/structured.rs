//! Just enough of Structured Field Values (RFC 8941) to read a Dictionary, the
//! syntax of targeted cache-control fields (RFC 9213 §2.1): members' values are
//! kept for the types cache directives use; parameters are checked and dropped.

/// A member's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Integer(i64),
    Decimal,
    String(String),
    Token,
    ByteSequence,
    Boolean(bool),
    InnerList,
}

/// Parses a Dictionary (RFC 8941 §4.2.2); `None` on any syntax error. A key given
/// twice keeps its last value, in the place of its first.
pub fn parse_dictionary(text: &str) -> Option<Vec<(String, Item)>> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    p.skip(b" ");
    let mut members: Vec<(String, Item)> = Vec::new();
    while p.at < p.bytes.len() {
        let key = p.key()?;
        let value = if p.eat(b'=') {
            p.item_or_inner_list()?
        } else {
            Item::Boolean(true)
        };
        p.parameters()?;
        match members.iter_mut().find(|(k, _)| *k == key) {
            Some(member) => member.1 = value,
            None => members.push((key, value)),
        }
        p.skip(b" \t");
        if p.at == p.bytes.len() {
            break;
        }
        if !p.eat(b',') {
            return None;
        }
        p.skip(b" \t");
        if p.at == p.bytes.len() {
            // A trailing comma.
            return None;
        }
    }
    // Trailing spaces were skipped above; anything else was rejected.
    Some(members)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip(&mut self, set: &[u8]) {
        while self.peek().is_some_and(|b| set.contains(&b)) {
            self.at += 1;
        }
    }

    /// `key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`
    fn key(&mut self) -> Option<String> {
        let start = self.at;
        if !self
            .peek()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'*')
        {
            return None;
        }
        while self.peek().is_some_and(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b'*')
        }) {
            self.at += 1;
        }
        Some(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    fn item_or_inner_list(&mut self) -> Option<Item> {
        if self.eat(b'(') {
            loop {
                self.skip(b" ");
                if self.eat(b')') {
                    return Some(Item::InnerList);
                }
                self.bare_item()?;
                self.parameters()?;
                if !matches!(self.peek(), Some(b' ' | b')')) {
                    return None;
                }
            }
        }
        self.bare_item()
    }

    fn parameters(&mut self) -> Option<()> {
        while self.eat(b';') {
            self.skip(b" ");
            self.key()?;
            if self.eat(b'=') {
                self.bare_item()?;
            }
        }
        Some(())
    }

    fn bare_item(&mut self) -> Option<Item> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string(),
            b':' => self.byte_sequence(),
            b'?' => {
                self.at += 1;
                let value = match self.peek()? {
                    b'0' => false,
                    b'1' => true,
                    _ => return None,
                };
                self.at += 1;
                Some(Item::Boolean(value))
            }
            b if b.is_ascii_alphabetic() || b == b'*' => {
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&b))
                {
                    self.at += 1;
                }
                Some(Item::Token)
            }
            _ => None,
        }
    }

    /// RFC 8941 §4.2.4: at most 15 integer digits, or 12 + `.` + 1 to 3 for a decimal.
    fn number(&mut self) -> Option<Item> {
        let negative = self.eat(b'-');
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let int_digits = self.at - start;
        if int_digits == 0 {
            return None;
        }
        if self.eat(b'.') {
            let frac_start = self.at;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.at += 1;
            }
            let frac_digits = self.at - frac_start;
            return (int_digits <= 12 && (1..=3).contains(&frac_digits)).then_some(Item::Decimal);
        }
        if int_digits > 15 {
            return None;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        let value: i64 = text.parse().ok()?;
        Some(Item::Integer(if negative { -value } else { value }))
    }

    /// RFC 8941 §4.2.5: printable ASCII; `\` escapes only `"` and `\`.
    fn string(&mut self) -> Option<Item> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'"' => return Some(Item::String(out)),
                b'\\' => {
                    let escaped = self.peek()?;
                    if !matches!(escaped, b'"' | b'\\') {
                        return None;
                    }
                    self.at += 1;
                    out.push(escaped as char);
                }
                0x20..=0x7e => out.push(b as char),
                _ => return None,
            }
        }
    }

    fn byte_sequence(&mut self) -> Option<Item> {
        self.at += 1;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            self.at += 1;
        }
        self.eat(b':').then_some(Item::ByteSequence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries() {
        assert_eq!(
            parse_dictionary("max-age=60, no-store, private=\"a, b\";x=1, ext=(1 2);p").unwrap(),
            vec![
                ("max-age".into(), Item::Integer(60)),
                ("no-store".into(), Item::Boolean(true)),
                ("private".into(), Item::String("a, b".into())),
                ("ext".into(), Item::InnerList),
            ]
        );
        assert_eq!(parse_dictionary("").unwrap(), vec![]);
        for bad in [
            "max-age=60, &&&&&",
            "MaX-aGe=60",
            "max-age =60",
            "max-age= 60",
            "max-age=60,",
            "max-age=1234567890123456",
            "a=\"unterminated",
            "a=1.2345",
            "a=?2",
        ] {
            assert_eq!(parse_dictionary(bad), None, "{bad}");
        }
    }
}
