//! The command line on the shipped sample.

use crate::util::{Sandbox, root};

#[test]
fn sample_imports_exports_and_reimports_to_the_same_bytes() {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()])
        .ok()
        .stderr_has("7 units read, 7 added");
    sb.tmm(&["export", "-o", "a.tmx"]).ok();
    let db2 = sb.path("second.db");
    sb.tmm_db(&db2, &["import", "a.tmx"])
        .ok()
        .stderr_has("7 added");
    sb.tmm_db(&db2, &["export", "-o", "b.tmx"]).ok();
    let a = std::fs::read(sb.path("a.tmx")).unwrap();
    assert_eq!(a, std::fs::read(sb.path("b.tmx")).unwrap());
    assert!(
        String::from_utf8(a)
            .unwrap()
            .contains("<tuv xml:lang=\"zh\">")
    );
}
