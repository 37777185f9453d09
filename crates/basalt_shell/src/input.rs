//! Statement terminators of the shell's input loop. Completeness itself
//! (`sqlite3_complete`) lives in `basalt_parser::complete`.

pub use basalt_parser::complete::{is_blank, is_complete, is_complete_at_line_end};

/// sqlite3's other statement terminators: a line holding only `/` (Oracle) or `go` (SQL
/// Server), which end the pending statement when it would be complete with a `;`.
pub fn is_command_terminator(line: &str) -> bool {
    let line = line.trim_start();
    let rest = if let Some(rest) = line.strip_prefix('/') {
        rest
    } else if line.len() >= 2 && line.as_bytes()[..2].eq_ignore_ascii_case(b"go") {
        &line[2..]
    } else {
        return false;
    };
    is_blank(rest) && !rest.contains(';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminators() {
        assert!(is_command_terminator("  go  "));
        assert!(is_command_terminator("/"));
        assert!(!is_command_terminator("gone"));
    }
}
