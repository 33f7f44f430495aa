//! `tmm serve`: the real binary on a free port, spoken to over raw HTTP/1.1 (so that paths
//! go out exactly as Weblate and Virtaal write them), and the page in headless Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{PgDb, Sandbox, skipped};

/// A small memory: English with French, Brazilian Portuguese and Serbian in Latin script.
const MEMORY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/>
<body>
<tu><tuv xml:lang="en"><seg>The meeting starts at 10 am.</seg></tuv><tuv xml:lang="fr"><seg>La réunion commence à 10 h.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Please close the door/window.</seg></tuv><tuv xml:lang="fr"><seg>Veuillez fermer la porte/fenêtre.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Save the file before closing it.</seg></tuv><tuv xml:lang="fr"><seg>Enregistrez le fichier avant de le fermer.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>South-South cooperation has the potential to balance growth.</seg></tuv><tuv xml:lang="pt-BR"><seg>A cooperação Sul-Sul tem potencial para equilibrar o crescimento.</seg></tuv><tuv xml:lang="sr-Latn"><seg>Saradnja jug-jug može uravnotežiti rast.</seg></tuv></tu>
</body></tmx>
"#;

/// One HTTP response.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }
    /// Asserts an RFC 9457 problem with this status.
    #[track_caller]
    fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text()
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
        p
    }
}

/// Reads a response from `stream`: status line, headers, a body by length or chunks.
fn read_response(stream: impl Read) -> Response {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("header");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').expect("header colon");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            r.read_line(&mut line).expect("chunk size");
            let n = usize::from_str_radix(line.trim(), 16).expect("chunk size hex");
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).expect("chunk");
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        r.read_exact(&mut body).expect("body");
    } else {
        r.read_to_end(&mut body).expect("body");
    }
    Response {
        status,
        headers,
        body,
    }
}

/// The server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Server {
        Server::start_on(sandbox, &sandbox.db(), args)
    }

    /// A server on the memory `db` (a file or a PostgreSQL URL).
    fn start_on(sandbox: &Sandbox, db: &Path, args: &[&str]) -> Server {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = sandbox.path(&format!("serve-{}-{n}.log", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_tmm"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(sandbox.dir.path())
            .arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start tmm serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("no address in {line:?}: {}", read(&log)))
            .to_string();
        Server { child, addr, log }
    }

    fn log(&self) -> String {
        read(&self.log)
    }

    /// Sends one request; `headers` are extra header lines.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // A server may answer before the whole body is sent (413 for a body over the limit)
        // and close: the rest of the body then has nowhere to go, and the answer is read.
        let _ = s.write_all(body);
        read_response(s)
    }

    fn get(&self, path: &str, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.request("GET", path, &headers, b"")
    }

    fn send_json(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        self.request(method, path, &headers, body.to_string().as_bytes())
    }

    /// Stops the server with SIGTERM and returns whether it exited 0.
    fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// A sandbox holding [`MEMORY`] and a token of each role: (read, write, admin).
fn memory() -> (Sandbox, [String; 3]) {
    let sb = Sandbox::new();
    std::fs::write(sb.path("memory.tmx"), MEMORY).unwrap();
    sb.tmm(&["import", "memory.tmx"]).ok();
    let token = |name: &str, role: &str| {
        let run = sb.tmm(&["token", "add", name, "--role", role]).ok();
        run.stdout().lines().last().expect("token line").to_string()
    };
    let tokens = [
        token("rita", "read"),
        token("wim", "write"),
        token("ada", "admin"),
    ];
    (sb, tokens)
}

#[test]
fn serve_says_it_listens_on_loopback_and_logs_each_request_without_secrets() {
    let (sb, [read, ..]) = memory();
    let server = Server::start(&sb, &[]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let r = server.get("/api/v1/stats?lang=en", Some(&read));
    assert_eq!(r.status, 200, "{}", r.text());
    let h = server.get("/healthz", None);
    assert_eq!(h.json()["status"], "ok");
    let log = server.log();
    assert!(log.contains("loopback only"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("GET /api/v1/stats 200") && l.ends_with("ms")),
        "{log}"
    );
    assert!(!log.contains(&read) && !log.contains("lang=en"), "{log}");
}

#[test]
fn token_add_prints_the_token_once_and_stores_only_its_hash() {
    let (sb, [read, ..]) = memory();
    let list = sb.tmm(&["token", "list"]).ok();
    assert!(list.stdout().contains("rita") && list.stdout().contains("read"));
    assert!(!list.stdout().contains(&read));
    let db = crate::util::stored_bytes(&sb.db());
    assert!(!db.windows(read.len()).any(|w| w == read.as_bytes()));
    sb.tmm(&["token", "add", "rita", "--role", "write"])
        .fails()
        .stderr_has("exists");
    sb.tmm(&["token", "revoke", "nobody"])
        .fails()
        .stderr_has("no token");
}

#[test]
fn each_role_may_do_its_own_and_no_more() {
    let (sb, [read, write, admin]) = memory();
    let server = Server::start(&sb, &[]);
    let unit = json!({"variants": [{"lang": "en", "text": "Good morning"}, {"lang": "fr", "text": "Bonjour"}]});
    // No token: 401 everywhere but the health check and the page.
    server.get("/api/v1/stats", None).problem(401);
    server.get("/tmserver/languages/", None).problem(401);
    assert_eq!(server.get("/", None).status, 200);
    server
        .send_json("POST", "/api/v1/units", None, &unit)
        .problem(401);
    // Read: reads only.
    for path in [
        "/api/v1/stats",
        "/api/v1/origins",
        "/api/v1/units/1",
        "/api/v1/concordance?q=door&lang=en",
        "/api/v1/export?langs=en,fr&format=tsv",
        "/tmserver/en/fr/unit/door",
    ] {
        assert_eq!(server.get(path, Some(&read)).status, 200, "{path}");
    }
    server
        .send_json("POST", "/api/v1/units", Some(&read), &unit)
        .problem(403);
    server
        .request(
            "POST",
            "/api/v1/import",
            &[("Authorization", &format!("Bearer {read}"))],
            MEMORY.as_bytes(),
        )
        .problem(403);
    // Write: units and imports, not origins.
    let added = server.send_json("POST", "/api/v1/units", Some(&write), &unit);
    assert_eq!(added.status, 201, "{}", added.text());
    let r = server.request(
        "DELETE",
        "/api/v1/origins/1",
        &[("Authorization", &format!("Bearer {write}"))],
        b"",
    );
    r.problem(403);
    // Admin: origins too.
    let r = server.request(
        "DELETE",
        "/api/v1/origins/1",
        &[("Authorization", &format!("Bearer {admin}"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["units_deleted"], 4);
    // A token in the query string is refused, even a good one.
    server
        .get(&format!("/api/v1/stats?token={read}"), None)
        .problem(400);
    server
        .get(&format!("/api/v1/stats?access_token={read}"), Some(&read))
        .problem(400);
    // A malformed header and an unknown token.
    server
        .request(
            "GET",
            "/api/v1/stats",
            &[("Authorization", &format!("Basic {read}"))],
            b"",
        )
        .problem(401);
    server.get("/api/v1/stats", Some("tmm_nope")).problem(401);
    // Revoked: refused from the next request on.
    sb.tmm(&["token", "revoke", "rita"]).ok();
    server.get("/api/v1/stats", Some(&read)).problem(401);
}

#[test]
fn open_read_lets_anyone_read_but_never_write() {
    let (sb, [_, write, _]) = memory();
    let server = Server::start(&sb, &["--open-read"]);
    assert_eq!(server.get("/api/v1/stats", None).status, 200);
    let r = server.get(
        "/tmserver/en/fr/unit/Please%20close%20the%20door%2Fwindow.",
        None,
    );
    assert_eq!(r.status, 200);
    let unit = json!({"variants": [{"lang": "en", "text": "Good night"}, {"lang": "fr", "text": "Bonne nuit"}]});
    server
        .send_json("POST", "/api/v1/units", None, &unit)
        .problem(401);
    server
        .request("POST", "/api/v1/import", &[], MEMORY.as_bytes())
        .problem(401);
    assert_eq!(
        server
            .send_json("POST", "/api/v1/units", Some(&write), &unit)
            .status,
        201
    );
}

#[test]
fn lookup_matches_are_what_suggest_json_prints() {
    let (sb, [read, ..]) = memory();
    let text = "The meeting starts at 11 am.";
    let cli = sb
        .tmm(&["suggest", "--from", "en", "--to", "fr", "--json", text])
        .ok();
    let printed: Value = serde_json::from_str(&cli.stdout()).unwrap();
    let server = Server::start(&sb, &[]);
    let r = server.send_json(
        "POST",
        "/api/v1/lookup",
        Some(&read),
        &json!({"source": "en", "target": "fr", "segments": [{"text": text}], "min": 70, "limit": 5}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let answer = r.json();
    assert_eq!(answer["results"][0]["matches"], printed);
    let m = &answer["results"][0]["matches"][0];
    assert_eq!(m["score"], 99);
    assert_eq!(m["adapted"]["text"], "La réunion commence à 11 h.");
    assert_eq!(m["penalties"][0]["kind"], "numbers");
    assert_eq!(m["from"]["origin"], "memory.tmx");
    // With the previous segment of the stored document: an in-context match.
    let r = server.send_json(
        "POST",
        "/api/v1/lookup",
        Some(&read),
        &json!({"source": "en", "target": "fr", "segments": [
            {"text": "Please close the door/window.", "prev": "The meeting starts at 10 am.", "next": "Save the file before closing it."}
        ]}),
    );
    let m = &r.json()["results"][0]["matches"][0];
    assert_eq!(
        (m["score"].as_u64(), m["in_context"].as_bool()),
        (Some(101), Some(true)),
        "{m}"
    );
    // A next segment that differs from the stored one: the same text, out of context.
    let r = server.send_json(
        "POST",
        "/api/v1/lookup",
        Some(&read),
        &json!({"source": "en", "target": "fr", "segments": [
            {"text": "Please close the door/window.", "prev": "The meeting starts at 10 am.", "next": "Print the file."},
            {"text": "Please close the door/window.", "next": "Save the file before closing it."}
        ]}),
    );
    let results = &r.json()["results"];
    let best = |i: usize| {
        let m = &results[i]["matches"][0];
        (m["score"].as_u64(), m["in_context"].as_bool())
    };
    assert_eq!(best(0), (Some(100), Some(false)), "{results}");
    assert_eq!(best(1), (Some(101), Some(true)), "{results}");
    // A whole document, cut into paragraphs by the server; a punctuation-only paragraph
    // gets its own error and the others their matches.
    let r = server.send_json(
        "POST",
        "/api/v1/lookup",
        Some(&read),
        &json!({"source": "en", "target": "fr", "document": "Save the file before closing it.\n\n* * *\n\nPlease close the door."}),
    );
    let a = r.json();
    assert_eq!(a["total_segments"], 3, "{a}");
    assert_eq!(a["results"][0]["matches"][0]["score"], 100);
    assert!(a["results"][1]["error"].is_string(), "{a}");
    assert!(a["results"][2]["matches"][0]["score"].as_u64().unwrap() >= 70);
}

#[test]
fn bad_input_is_a_4xx_problem_never_a_500() {
    let (sb, [read, write, _]) = memory();
    let server = Server::start(&sb, &["--import-limit", "1"]);
    let auth = format!("Bearer {read}");
    let lookup = |body: &[u8]| {
        server.request(
            "POST",
            "/api/v1/lookup",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    };
    lookup(b"{\"source\": \"en\", ").problem(400);
    lookup(b"[1, 2]").problem(422);
    server
        .request("POST", "/api/v1/lookup", &[("Authorization", &auth)], b"{}")
        .problem(415);
    let p =
        lookup(br#"{"source": "CN", "target": "fr", "segments": [{"text": "door"}]}"#).problem(422);
    assert_eq!(p["field"], "source");
    let p =
        lookup(br#"{"source": "en", "target": "de", "segments": [{"text": "door"}]}"#).problem(404);
    assert_eq!(p["field"], "target");
    let long = "word ".repeat(5000);
    let p = lookup(
        json!({"source": "en", "target": "fr", "segments": [{"text": long}]})
            .to_string()
            .as_bytes(),
    )
    .problem(422);
    assert_eq!(p["field"], "segments[0].text");
    let p =
        lookup(br#"{"source": "en", "target": "fr", "segments": [{"text": "   "}]}"#).problem(422);
    assert_eq!(p["field"], "segments[0].text");
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"text": format!("door {i}")}))
        .collect();
    let p = lookup(
        json!({"source": "en", "target": "fr", "segments": many})
            .to_string()
            .as_bytes(),
    )
    .problem(422);
    assert_eq!(p["field"], "segments");
    lookup(br#"{"source": "en", "target": "fr", "segments": [], "extra": 1}"#).problem(422);
    // Over 1 MiB of JSON.
    let big = format!(
        "{{\"source\": \"en\", \"target\": \"fr\", \"document\": \"{}\"}}",
        "a".repeat(1_100_000)
    );
    lookup(big.as_bytes()).problem(413);
    // An import over --import-limit (1 MiB), with and without a Content-Length ahead.
    let wauth = format!("Bearer {write}");
    let huge = format!(
        "{}{}",
        &MEMORY[..MEMORY.len() - 14],
        "<!-- x -->".repeat(120_000)
    );
    server
        .request(
            "POST",
            "/api/v1/import",
            &[("Authorization", &wauth)],
            huge.as_bytes(),
        )
        .problem(413);
    let r = chunked_upload(&server, &wauth, "/api/v1/import", huge.as_bytes(), None);
    r.problem(413);
    // Concordance and units.
    server
        .get("/api/v1/concordance?lang=en", Some(&read))
        .problem(422);
    server
        .get("/api/v1/concordance?q=door&lang=xx-", Some(&read))
        .problem(422);
    server
        .get("/api/v1/concordance?q=door&lang=en&limit=zero", Some(&read))
        .problem(400);
    server
        .get(
            "/api/v1/concordance?q=door&lang=en&limit=100000",
            Some(&read),
        )
        .problem(422);
    server.get("/api/v1/units/abc", Some(&read)).problem(422);
    server.get("/api/v1/units/999", Some(&read)).problem(404);
    let unit = |v: Value| server.send_json("POST", "/api/v1/units", Some(&write), &v);
    unit(json!({"variants": [{"lang": "en", "text": "one"}]})).problem(422);
    let p = unit(json!({"variants": [{"lang": "en", "text": "a"}, {"lang": "SC!", "text": "b"}]}))
        .problem(422);
    assert_eq!(p["field"], "variants[1].lang");
    let p = unit(json!({"variants": [{"lang": "en", "text": "a<b"}, {"lang": "fr", "text": "b", "markup": "<bpt i=\"1\">"}]})).problem(422);
    assert_eq!(p["field"], "variants[1].markup");
    // Unknown routes and methods.
    server.get("/api/v1/nothing", Some(&read)).problem(404);
    server
        .request("PATCH", "/api/v1/stats", &[("Authorization", &auth)], b"")
        .problem(405);
    server
        .get("/api/v1/export?format=docx", Some(&read))
        .problem(422);
    server
        .get("/api/v1/export?format=moses&langs=en,fr", Some(&read))
        .problem(422);
    server
        .get("/api/v1/export?format=tsv&langs=en,de", Some(&read))
        .problem(404);
    assert!(!server.log().contains(" 500 "), "{}", server.log());
}

/// Uploads `body` with chunked transfer encoding, pausing at `pause` (a byte offset) to
/// call the closure while the upload is half way.
fn chunked_upload(
    server: &Server,
    auth: &str,
    path: &str,
    body: &[u8],
    mut pause: Option<(usize, &mut dyn FnMut())>,
) -> Response {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let mut sent = 0;
    for chunk in body.chunks(16 * 1024) {
        if let Some((at, f)) = &mut pause
            && sent >= *at
        {
            f();
            pause = None;
        }
        if write!(s, "{:x}\r\n", chunk.len()).is_err()
            || s.write_all(chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break; // The server answered early (413) and closed.
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n");
    read_response(s)
}

/// A TMX of `n` generated units, en and fr.
fn generated_tmx(n: usize, word: &str) -> String {
    let mut t = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>"#,
    );
    for i in 0..n {
        t.push_str(&format!(
            "\n<tu><tuv xml:lang=\"en\"><seg>The {word} report number {i} was approved by the committee.</seg></tuv><tuv xml:lang=\"fr\"><seg>Le rapport {word} numéro {i} a été approuvé par le comité.</seg></tuv></tu>"
        ));
    }
    t.push_str("\n</body></tmx>\n");
    t
}

#[test]
fn an_import_streams_in_with_the_summary_of_tmm_import_and_a_broken_file_stores_nothing() {
    let (sb, [_, write, _]) = memory();
    let tmx = generated_tmx(300, "annual");
    std::fs::write(sb.path("new.tmx"), &tmx).unwrap();
    let other = sb.path("other.db");
    let cli = sb.tmm_db(&other, &["import", "--json", "new.tmx"]).ok();
    let printed: Value = serde_json::from_str(&cli.stdout()).unwrap();
    let server = Server::start(&sb, &[]);
    let auth = format!("Bearer {write}");
    let r = chunked_upload(
        &server,
        &auth,
        "/api/v1/import?name=new.tmx",
        tmx.as_bytes(),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), printed);
    // A second time: all duplicates.
    let r = server.request(
        "POST",
        "/api/v1/import?name=new.tmx&format=tmx",
        &[("Authorization", &auth)],
        tmx.as_bytes(),
    );
    assert_eq!(r.json()["duplicates_skipped"], 300);
    // TSV needs its languages, and gets them as parameters.
    let tsv = "Good evening\tBonsoir\nSee you tomorrow\tÀ demain\n";
    let r = server.request(
        "POST",
        "/api/v1/import?format=tsv&name=g.tsv",
        &[("Authorization", &auth)],
        tsv.as_bytes(),
    );
    assert_eq!(r.problem(422)["field"], "from");
    let r = server.request(
        "POST",
        "/api/v1/import?format=tsv&from=en&to=fr&name=g.tsv",
        &[("Authorization", &auth)],
        tsv.as_bytes(),
    );
    assert_eq!(r.json()["added"], 2, "{}", r.text());
    // Broken at line 3: a problem naming line and column, and nothing stored.
    let before = server.get("/api/v1/stats", Some(&write)).json()["units"].clone();
    let broken = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"fr\"><seg>b</seg></tu>\n</body></tmx>";
    let p = server
        .request(
            "POST",
            "/api/v1/import?name=broken.tmx",
            &[("Authorization", &auth)],
            broken.as_bytes(),
        )
        .problem(422);
    assert_eq!(p["line"], 3, "{p}");
    assert!(
        p["column"].as_u64().is_some() && p["detail"].as_str().unwrap().contains("broken.tmx:3:"),
        "{p}"
    );
    assert_eq!(
        server.get("/api/v1/stats", Some(&write)).json()["units"],
        before
    );
}

#[test]
fn a_client_that_goes_away_mid_upload_stores_nothing() {
    let (sb, [_, write, _]) = memory();
    let server = Server::start(&sb, &[]);
    // Whole lines of TSV: cut at a line end, the part read would look like a whole file.
    let tsv: String = (0..20_000)
        .map(|i| format!("Line {i} of the upload\tLigne {i} du fichier\n"))
        .collect();
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /api/v1/import?format=tsv&from=en&to=fr&name=cut.tsv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {write}\r\nContent-Length: {}\r\n\r\n",
        tsv.len()
    )
    .unwrap();
    let half = tsv[..tsv.len() / 2].rfind('\n').unwrap() + 1;
    s.write_all(&tsv.as_bytes()[..half]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(s);
    std::thread::sleep(Duration::from_millis(700));
    let stats = server.get("/api/v1/stats", Some(&write)).json();
    assert_eq!(stats["units"], 4, "{stats}");
    let log = server.log();
    assert!(!log.contains("POST /api/v1/import 200"), "{log}");
}

#[test]
fn exports_stream_in_each_format() {
    let (sb, [read, ..]) = memory();
    let server = Server::start(&sb, &[]);
    let tmx = server.get("/api/v1/export", Some(&read));
    assert_eq!(tmx.status, 200);
    assert!(
        tmx.header("content-type")
            .unwrap()
            .starts_with("application/x-tmx+xml")
    );
    assert_eq!(tmx.header("transfer-encoding"), Some("chunked"));
    assert_eq!(tmx.text().matches("<tu>").count(), 4, "{}", tmx.text());
    let fr = server.get("/api/v1/export?langs=en,fr", Some(&read)).text();
    assert_eq!(fr.matches("<tu>").count(), 3);
    let tsv = server
        .get("/api/v1/export?langs=en,fr&format=tsv", Some(&read))
        .text();
    assert!(
        tsv.contains("Please close the door/window.\tVeuillez fermer la porte/fenêtre.\n"),
        "{tsv}"
    );
    let jsonl = server
        .get("/api/v1/export?langs=en,pt-BR&format=jsonl", Some(&read))
        .text();
    assert_eq!(jsonl.lines().count(), 1);
    serde_json::from_str::<Value>(jsonl.lines().next().unwrap()).unwrap();
    let moses = server
        .get(
            "/api/v1/export?langs=en,fr&format=moses&side=fr",
            Some(&read),
        )
        .text();
    assert_eq!(moses.lines().count(), 3);
    assert!(
        moses.contains("Veuillez fermer la porte/fenêtre."),
        "{moses}"
    );
    let origin = server
        .get(
            "/api/v1/export?origin=memory.tmx&langs=en,sr-Latn",
            Some(&read),
        )
        .text();
    assert!(origin.contains("Saradnja"));
    server
        .get("/api/v1/export?origin=nothing.tmx", Some(&read))
        .problem(404);
}

#[test]
fn units_are_added_read_changed_and_deleted_with_the_token_name_as_change_id() {
    let (sb, [_, write, _]) = memory();
    let server = Server::start(&sb, &[]);
    let body = json!({"variants": [
        {"lang": "en", "text": "Press Enter to go on.", "markup": "Press <bpt i=\"1\">&lt;b&gt;</bpt>Enter<ept i=\"1\">&lt;/b&gt;</ept> to go on.", "notes": [{"text": "UI string"}]},
        {"lang": "fr", "text": "Appuyez sur Entrée pour continuer.", "props": [{"type": "x-context", "value": "dialog"}]}
    ]});
    let r = server.send_json("POST", "/api/v1/units", Some(&write), &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let unit = r.json();
    let id = unit["id"].as_i64().unwrap();
    assert_eq!(unit["changeid"], "wim");
    assert!(unit["changedate"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        unit["variants"][0]["markup"],
        "Press <bpt i=\"1\">&lt;b&gt;</bpt>Enter<ept i=\"1\">&lt;/b&gt;</ept> to go on."
    );
    assert_eq!(unit["variants"][0]["notes"][0]["text"], "UI string");
    assert_eq!(unit["variants"][1]["props"][0]["value"], "dialog");
    let got = server
        .get(&format!("/api/v1/units/{id}"), Some(&write))
        .json();
    assert_eq!(got, unit);
    // It is offered at once.
    let tm = server
        .get(
            "/tmserver/en/fr/unit/Press%20Enter%20to%20go%20on.",
            Some(&write),
        )
        .json();
    assert_eq!(tm[0]["target"], "Appuyez sur Entrée pour continuer.");
    let changed = json!({"variants": [{"lang": "en", "text": "Press Enter to go on."}, {"lang": "fr", "text": "Appuyez sur Entrée pour poursuivre."}]});
    let r = server.send_json(
        "PUT",
        &format!("/api/v1/units/{id}"),
        Some(&write),
        &changed,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["variants"][1]["text"],
        "Appuyez sur Entrée pour poursuivre."
    );
    assert_eq!(r.json()["creationdate"], unit["creationdate"]);
    server
        .send_json("PUT", "/api/v1/units/999", Some(&write), &changed)
        .problem(404);
    let auth = format!("Bearer {write}");
    let r = server.request(
        "DELETE",
        &format!("/api/v1/units/{id}"),
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 204);
    server
        .get(&format!("/api/v1/units/{id}"), Some(&write))
        .problem(404);
    server
        .request(
            "DELETE",
            &format!("/api/v1/units/{id}"),
            &[("Authorization", &auth)],
            b"",
        )
        .problem(404);
}

#[test]
fn origins_and_stats_are_what_the_cli_prints() {
    let (sb, [read, _, admin]) = memory();
    let printed: Value = serde_json::from_str(&sb.tmm(&["stats", "--json"]).ok().stdout()).unwrap();
    let server = Server::start(&sb, &[]);
    let mut stats = server.get("/api/v1/stats", Some(&read)).json();
    let mut printed = printed;
    // The file's size moves as the server's connections come and go.
    stats["database_bytes"] = Value::Null;
    printed["database_bytes"] = Value::Null;
    assert_eq!(stats, printed);
    let origins = server.get("/api/v1/origins", Some(&read)).json();
    assert_eq!(origins, printed["origins"]);
    let auth = format!("Bearer {admin}");
    server
        .request(
            "DELETE",
            "/api/v1/origins/77",
            &[("Authorization", &auth)],
            b"",
        )
        .problem(404);
    server
        .request(
            "DELETE",
            "/api/v1/origins/x",
            &[("Authorization", &auth)],
            b"",
        )
        .problem(422);
}

#[test]
fn tmserver_answers_weblate_virtaal_and_pootle_as_they_ask() {
    let (sb, [read, ..]) = memory();
    let server = Server::start(&sb, &["--cors", "https://weblate.example.org"]);
    let t = Some(read.as_str());
    // Weblate: every path part quoted, `/` too; the languages as it compares them.
    let langs = server.get("/tmserver/languages/", t);
    assert_eq!(
        langs.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let langs = langs.json();
    let sources: Vec<&str> = langs["sourceLanguages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(sources, ["en", "fr", "pt_br", "sr@latin"]);
    assert_eq!(langs["targetLanguages"], langs["sourceLanguages"]);
    let r = server.get("/tmserver/en/fr/unit/Please%20close%20the%20door%2Fwindow.?min_similarity=75&max_candidates=10", t);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let m = r.json();
    assert_eq!(m[0]["source"], "Please close the door/window.");
    assert_eq!(m[0]["target"], "Veuillez fermer la porte/fenêtre.");
    assert_eq!(m[0]["quality"], 100.0);
    assert!(m[0]["rank"].as_f64().is_some());
    let r = server.get("/tmserver/en/sr%40latin/unit/South-South%20cooperation%20has%20the%20potential%20to%20balance%20growth.", t);
    assert_eq!(
        r.json()[0]["target"],
        "Saradnja jug-jug može uravnotežiti rast."
    );
    for code in ["pt_br", "pt_BR", "pt-BR"] {
        let r = server.get(&format!("/tmserver/en/{code}/unit/South-South%20cooperation%20has%20the%20potential%20to%20balance%20growth."), t);
        assert_eq!(r.json()[0]["quality"], 100.0, "{code}");
    }
    // Virtaal: a base URL ending in `/` gives `//`, and `/` in the text may stay unquoted.
    let r = server.get(
        "/tmserver//en/fr/unit/Please%20close%20the%20door/window.",
        t,
    );
    assert_eq!(
        r.json()[0]["target"],
        "Veuillez fermer la porte/fenêtre.",
        "{}",
        r.text()
    );
    let r = server.get(
        "//tmserver/en/fr/unit/Please%20close%20the%20door%2Fwindow.",
        t,
    );
    assert_eq!(r.json()[0]["quality"], 100.0, "{}", r.text());
    // Pootle (amaGama's form): the text as ?source=.
    let r = server.get(
        "/tmserver/en/fr/unit/?source=Save+the+file+before+closing+it%21",
        t,
    );
    let m = r.json();
    assert_eq!(
        m[0]["target"], "Enregistrez le fichier avant de le fermer.",
        "{m}"
    );
    assert!(m[0]["quality"].as_f64().unwrap() < 100.0);
    // Best first, within the limits asked.
    let r = server
        .get(
            "/tmserver/en/fr/unit/Close%20the%20door.?min_similarity=10&max_candidates=2",
            t,
        )
        .json();
    let q: Vec<f64> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["quality"].as_f64().unwrap())
        .collect();
    assert!(q.len() <= 2 && q.windows(2).all(|w| w[0] >= w[1]), "{q:?}");
    // Nothing: `200 []`; a language the memory lacks too.
    let r = server.get(
        "/tmserver/en/fr/unit/Completely%20unrelated%20words%20here",
        t,
    );
    assert_eq!((r.status, r.text().as_str()), (200, "[]"));
    assert_eq!(server.get("/tmserver/en/de/unit/door", t).text(), "[]");
    server.get("/tmserver/en/fr/unit/%FF", t).problem(400);
    server
        .get("/tmserver/en/fr/unit/door?min_similarity=200", t)
        .problem(422);
    // CORS for the allowed origin on the tmserver routes, and only there.
    let origin = [
        ("Origin", "https://weblate.example.org"),
        ("Authorization", &format!("Bearer {read}") as &str),
    ];
    let r = server.request("GET", "/tmserver/en/fr/unit/door", &origin, b"");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://weblate.example.org")
    );
    let r = server.request("GET", "/api/v1/stats", &origin, b"");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let other = [
        ("Origin", "https://evil.example"),
        ("Authorization", &format!("Bearer {read}") as &str),
    ];
    let r = server.request("GET", "/tmserver/en/fr/unit/door", &other, b"");
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn lookups_go_on_while_an_import_streams_in_and_writes_wait_then_get_503() {
    let (sb, [read, write, _]) = memory();
    let server = Server::start(&sb, &["--write-wait", "0"]);
    let tmx = generated_tmx(6000, "quarterly");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (answered, busy) = std::thread::scope(|scope| {
        let lookups = scope.spawn(|| {
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = server.send_json(
                    "POST",
                    "/api/v1/lookup",
                    Some(&read),
                    &json!({"source": "en", "target": "fr", "segments": [{"text": "The meeting starts at 9 am."}]}),
                );
                statuses.push(r.status);
                assert_eq!(r.json()["results"][0]["matches"][0]["score"], 99);
            }
            statuses
        });
        let mut busy = None;
        let mut during = || {
            // Half way through the upload the importer holds the one writer.
            std::thread::sleep(Duration::from_millis(300));
            let unit = json!({"variants": [{"lang": "en", "text": "Wait"}, {"lang": "fr", "text": "Attendez"}]});
            busy = Some(server.send_json("POST", "/api/v1/units", Some(&write), &unit));
        };
        let r = chunked_upload(
            &server,
            &format!("Bearer {write}"),
            "/api/v1/import?name=q.tmx",
            tmx.as_bytes(),
            Some((tmx.len() / 2, &mut during)),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["added"], 6000);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (lookups.join().unwrap(), busy.unwrap())
    });
    assert!(
        answered.len() >= 3,
        "only {} lookups during the import",
        answered.len()
    );
    assert!(answered.iter().all(|&s| s == 200), "{answered:?}");
    let p = busy.problem(503);
    assert_eq!(busy.header("retry-after"), Some("2"));
    assert!(!p["detail"].as_str().unwrap().contains("locked"), "{p}");
    // The import is in, and the write goes through now.
    let unit =
        json!({"variants": [{"lang": "en", "text": "Wait"}, {"lang": "fr", "text": "Attendez"}]});
    assert_eq!(
        server
            .send_json("POST", "/api/v1/units", Some(&write), &unit)
            .status,
        201
    );
}

#[test]
fn a_server_killed_halfway_through_an_import_leaves_the_memory_as_it_was() {
    let (sb, [_, write, _]) = memory();
    let before = sb.tmm(&["export", "--output", "-"]).ok().stdout();
    let server = Server::start(&sb, &[]);
    let tmx = generated_tmx(20_000, "annual");
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /api/v1/import?name=a.tmx HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {write}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    for chunk in tmx.as_bytes()[..tmx.len() / 2].chunks(16 * 1024) {
        write!(s, "{:x}\r\n", chunk.len()).unwrap();
        s.write_all(chunk).unwrap();
        s.write_all(b"\r\n").unwrap();
    }
    // The server is storing the first half inside its transaction when it dies.
    std::thread::sleep(Duration::from_millis(1500));
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    drop(server);
    drop(s);
    assert_eq!(sb.tmm(&["export", "--output", "-"]).ok().stdout(), before);
    let stats: Value = serde_json::from_str(&sb.tmm(&["stats", "--json"]).ok().stdout()).unwrap();
    assert_eq!(stats["units"], 4, "{stats}");
    // Nothing is left holding the writer: the next server stores at once.
    let again = Server::start(&sb, &["--write-wait", "0"]);
    let unit =
        json!({"variants": [{"lang": "en", "text": "Again"}, {"lang": "fr", "text": "Encore"}]});
    let r = again.send_json("POST", "/api/v1/units", Some(&write), &unit);
    assert_eq!(r.status, 201, "{}", r.text());
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0() {
    let (sb, [_, write, _]) = memory();
    let server = Server::start(&sb, &[]);
    let tmx = generated_tmx(2000, "monthly");
    let pid = server.child.id().to_string();
    let mut term = || {
        // Give a loaded machine time to read the request's head: a connection whose bytes
        // the server has not read yet is idle to it, and idle connections close at once.
        std::thread::sleep(Duration::from_millis(1000));
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        std::thread::sleep(Duration::from_millis(300));
    };
    let r = chunked_upload(
        &server,
        &format!("Bearer {write}"),
        "/api/v1/import?name=m.tmx",
        tmx.as_bytes(),
        Some((tmx.len() / 3, &mut term)),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["added"], 2000);
    let log_path = server.log.clone();
    assert!(server.terminate(), "{}", read(&log_path));
    assert!(read(&log_path).contains("stopped"));
    // What the import committed is there.
    let stats = sb.tmm(&["stats", "--json"]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&stats.stdout()).unwrap()["units"],
        2004
    );
}

#[test]
fn the_openapi_description_covers_every_route() {
    let (sb, _) = memory();
    let server = Server::start(&sb, &[]);
    let r = server.get("/openapi.json", None);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/lookup",
        "/api/v1/concordance",
        "/api/v1/import",
        "/api/v1/export",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/origins",
        "/api/v1/origins/{id}",
        "/api/v1/stats",
        "/tmserver/{slang}/{tlang}/unit/{text}",
        "/tmserver/{slang}/{tlang}/unit/",
        "/tmserver/languages/",
        "/healthz",
        "/openapi.json",
        "/",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not described");
    }
    let page = server.get("/", None);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(server.get("/assets/app.js", None).status, 200);
}

/// A WebDriver session on chromedriver.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let r = read_response(s);
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert_eq!(r.status, 200, "{method} {path}: {}", r.text());
        v["value"].clone()
    }
    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }
    fn find_all(&self, testid: &str) -> Vec<String> {
        let v = self.call(
            "POST",
            &self.session_path("/elements"),
            Some(json!({"using": "css selector", "value": format!("[data-testid=\"{testid}\"]")})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_object()?.values().next()?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The first element with this test id, waiting for it to appear.
    fn wait_for(&self, testid: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(e) = self.find_all(testid).into_iter().next() {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no [data-testid={testid}] appeared"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/clear")),
            Some(json!({})),
        );
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/value")),
            Some(json!({"text": text})),
        );
    }
    fn click(&self, element: &str) {
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/click")),
            Some(json!({})),
        );
    }
    fn text(&self, element: &str) -> String {
        self.call(
            "GET",
            &self.session_path(&format!("/element/{element}/text")),
            None,
        )
        .as_str()
        .unwrap_or("")
        .to_string()
    }
    fn page_text(&self) -> String {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": "return document.body.innerText", "args": []})),
        )
        .as_str()
        .unwrap_or("")
        .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = TcpStream::connect(("127.0.0.1", self.port)).map(|mut s| {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            );
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        });
        // Chromium's helper processes outlive a killed chromedriver: end its whole process
        // group (its own, see `browser`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts Chromium under chromedriver, or says why it cannot.
fn browser(profile: &Path) -> Option<Browser> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let driver = ["/usr/bin/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        // `.ci/run` installs them and sets this: there a skip is a failure.
        assert!(
            std::env::var_os("TMM_REQUIRE_BROWSER").is_none(),
            "TMM_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
        );
        skipped(
            "serve::the_page_in_headless_chromium: chromium or chromedriver not installed (apt-get install chromium chromium-driver)",
        );
        return None;
    };
    let port = free_port();
    let child = Command::new(driver)
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut b = Browser {
        driver: child,
        port,
        session: String::new(),
    };
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1280,900", format!("--user-data-dir={}", profile.display())]
    }}}});
    let v = b.call("POST", "/session", Some(caps));
    b.session = v["sessionId"].as_str().expect("session id").to_string();
    Some(b)
}

/// Decodes standard base64 (the screenshot WebDriver sends).
fn base64(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for group in clean.chunks(4) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (u32::from(value(c)) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..group.len()]);
    }
    out
}

#[test]
fn the_page_in_headless_chromium_suggests_accepts_and_finds_the_translation_again() {
    let (sb, [_, write, _]) = memory();
    let profile = sb.path("chromium-profile");
    let Some(b) = browser(&profile) else { return };
    let server = Server::start(&sb, &["--open-read"]);
    b.call(
        "POST",
        &b.session_path("/url"),
        Some(json!({"url": format!("http://{}/", server.addr)})),
    );
    let token = b.wait_for("token-input");
    b.type_into(&token, &write);
    b.type_into(&b.wait_for("source-lang"), "en");
    b.type_into(&b.wait_for("target-lang"), "fr");
    b.type_into(
        &b.wait_for("source-input"),
        "Save the file before closing it.\n\nPlease close the door/window quickly.",
    );
    b.click(&b.wait_for("suggest-button"));
    b.wait_for("suggestion");
    let targets = b.find_all("suggestion-target");
    let first = b.text(&targets[0]);
    assert_eq!(first, "Enregistrez le fichier avant de le fermer.");
    // Accept the second segment's fuzzy match: stored as a new unit for its new source.
    let suggestions = b.find_all("accept-button");
    assert!(suggestions.len() >= 2, "{}", b.page_text());
    b.click(&suggestions[1]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !b.page_text().contains("stored as unit") {
        assert!(Instant::now() < deadline, "not stored: {}", b.page_text());
        std::thread::sleep(Duration::from_millis(100));
    }
    let stored = server
        .get("/api/v1/concordance?q=quickly&lang=en&target=fr", None)
        .json();
    assert_eq!(
        stored["hits"][0]["text"], "Please close the door/window quickly.",
        "{stored}"
    );
    assert_eq!(
        stored["hits"][0]["target"][1],
        "Veuillez fermer la porte/fenêtre."
    );
    // The concordance box finds it, by the source word and by the target word.
    let concordance = b.wait_for("concordance-input");
    b.type_into(&concordance, "quickly\u{E007}");
    let hit = b.wait_for("concordance-result");
    assert!(
        b.text(&hit)
            .contains("Please close the door/window quickly."),
        "{}",
        b.text(&hit)
    );
    b.type_into(&concordance, "fenêtre\u{E007}");
    std::thread::sleep(Duration::from_millis(500));
    let hits: Vec<String> = b
        .find_all("concordance-result")
        .iter()
        .map(|h| b.text(h))
        .collect();
    assert!(
        hits.iter()
            .any(|h| h.contains("Veuillez fermer la porte/fenêtre.")),
        "{hits:?}"
    );
    if let Some(out) = std::env::var_os("TMM_SCREENSHOT") {
        let png = b.call("GET", &b.session_path("/screenshot"), None);
        std::fs::write(out, base64(png.as_str().unwrap())).unwrap();
    }
}

#[test]
fn two_servers_on_one_postgresql_database_see_each_others_units() {
    let Some(pg) = PgDb::new("the two-server check") else {
        return;
    };
    let sb = Sandbox::new();
    let memory = sb.path("memory.tmx");
    std::fs::write(&memory, MEMORY).unwrap();
    sb.tmm_db(&pg.url, &["import", memory.to_str().unwrap()])
        .ok();
    let write = sb
        .tmm_db(&pg.url, &["token", "add", "wim", "--role", "write"])
        .ok()
        .stdout()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let admin = sb
        .tmm_db(&pg.url, &["token", "add", "ada", "--role", "admin"])
        .ok()
        .stdout()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let one = Server::start_on(&sb, &pg.url, &[]);
    let two = Server::start_on(&sb, &pg.url, &[]);
    let lookup = json!({"source": "en", "target": "fr",
        "segments": [{"text": "The harbour lights are switched off at dawn."}]});
    let before = two.send_json("POST", "/api/v1/lookup", Some(&write), &lookup);
    assert_eq!(before.status, 200, "{}", before.text());
    assert_eq!(before.json()["results"][0]["matches"], json!([]));
    let unit = json!({"variants": [
        {"lang": "en", "text": "The harbour lights are switched off at dawn."},
        {"lang": "fr", "text": "Les feux du port sont éteints à l’aube."}]});
    let added = one.send_json("POST", "/api/v1/units", Some(&write), &unit);
    assert_eq!(added.status, 201, "{}", added.text());
    // The other server's next request sees it, from the index.
    let after = two.send_json("POST", "/api/v1/lookup", Some(&write), &lookup);
    assert_eq!(after.status, 200, "{}", after.text());
    let m = &after.json()["results"][0]["matches"][0];
    assert_eq!(m["score"], 100, "{}", after.text());
    assert_eq!(m["target"], "Les feux du port sont éteints à l’aube.");
    // An origin deleted through one server is gone for the other; the unit added by hand
    // (another origin) stays.
    let r = one.request(
        "DELETE",
        "/api/v1/origins/1",
        &[("Authorization", &format!("Bearer {admin}"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["units_deleted"], 4, "{}", r.text());
    let left = two.send_json("GET", "/api/v1/origins", Some(&write), &json!({}));
    assert_eq!(left.status, 200, "{}", left.text());
    let listed = left.json().to_string();
    assert!(
        listed.contains("\"id\":2,") && !listed.contains("\"id\":1,"),
        "{listed}"
    );
    let still = two.send_json("POST", "/api/v1/lookup", Some(&write), &lookup);
    assert_eq!(still.json()["results"][0]["matches"][0]["score"], 100);
    assert!(one.terminate() && two.terminate());
}
