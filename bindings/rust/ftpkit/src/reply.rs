//! [`Reply`]: a server reply (RFC 959 §4.2).

use std::fmt;

use crate::ffi::Raw;

/// A complete server reply: the 3-digit code and the full text (RFC 959
/// §4.2).  For a multi-line reply the lines are joined by `\n` with their
/// line ends removed; the code is part of the text, as ftplib's `sendcmd()`
/// returns it (`"250-first\n250 last"`).  Bytes that are not UTF-8 are
/// replaced by U+FFFD.
///
/// ```
/// let r = ftpkit::Reply { code: 257, text: "257 \"/pub\" is the current directory".into() };
/// assert!(r.is_positive_completion());
/// assert_eq!(r.to_string(), r.text);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The reply code, 100-599 (0 when no reply was read).
    pub code: u16,
    /// The full text, code included.
    pub text: String,
}

impl Reply {
    /// The session's last reply.
    pub(crate) fn from_raw(raw: &Raw) -> Reply {
        let code = u16::try_from(raw.reply_code()).unwrap_or(0);
        Reply {
            code,
            text: String::from_utf8_lossy(&raw.reply_text()).into_owned(),
        }
    }

    /// Whether the code is 2xx ("positive completion", RFC 959 §4.2.1).
    ///
    /// ```
    /// let r = ftpkit::Reply { code: 226, text: "226 Transfer complete".into() };
    /// assert!(r.is_positive_completion());
    /// ```
    pub fn is_positive_completion(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// Whether the code is 3xx ("positive intermediate", RFC 959 §4.2.1):
    /// the server waits for another command, as after `RNFR`.
    ///
    /// ```
    /// let r = ftpkit::Reply { code: 350, text: "350 Ready for RNTO".into() };
    /// assert!(r.is_positive_intermediate());
    /// ```
    pub fn is_positive_intermediate(&self) -> bool {
        (300..400).contains(&self.code)
    }

    /// The text of the last line after the code and separator (`"226
    /// Transfer complete"` gives `"Transfer complete"`).
    ///
    /// ```
    /// let r = ftpkit::Reply { code: 211, text: "211-Features:\n MDTM\n211 End".into() };
    /// assert_eq!(r.message(), "End");
    /// ```
    pub fn message(&self) -> &str {
        let last = self.text.rsplit('\n').next().unwrap_or("");
        last.get(4..).unwrap_or("")
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
