"""Code templates the demo developer fills in: Go, Python and Rust (TypeScript/JavaScript and Java
live in ``demo_code_templates_web``).

Placeholders are ``{{name}}`` (see ``demo_code.render``). A line starting with ``@<flags>|`` is kept
only when its flags hold: ``+`` in the revised version (after a review), ``-`` in the first draft,
``T``/``J`` for TypeScript/JavaScript. Go templates are indented with spaces here and get tabs when
rendered. Each template is a list of (file name, code) pairs.
"""

GO_MAIN = r'''// main.go: {{title}} as a small HTTP service (Go 1.22+, standard library only).
// Run: go run .    Test: go test ./...
package main

import (
    "encoding/json"
    "fmt"
    "log"
    "net/http"
@+|    "strings"
@+|    "sync"
)

// {{Entity}} is one stored {{entity}}.
type {{Entity}} struct {
    {{GoKey}} string `json:"{{key}}"`
    {{GoValue}} string `json:"{{value}}"`
}

// Store keeps {{plural}} in memory.
type Store struct {
@+|    mu    sync.Mutex // handlers run concurrently
    items map[string]{{Entity}}
    next  uint32
}

func NewStore() *Store { return &Store{items: make(map[string]{{Entity}})} }

// Add stores {{value}} under a new {{key}}.
func (s *Store) Add({{value}} string) {{Entity}} {
@+|    s.mu.Lock()
@+|    defer s.mu.Unlock()
    s.next++
    item := {{Entity}}{{{Key}}: {{newkey}}, {{Value}}: {{value}}}
    s.items[item.{{Key}}] = item
    return item
}

func (s *Store) Get({{key}} string) ({{Entity}}, bool) {
@+|    s.mu.Lock()
@+|    defer s.mu.Unlock()
    item, ok := s.items[{{key}}]
    return item, ok
}

@+|func valid{{Value}}({{value}} string) bool {
@+|    {{valid}}
@+|}
@+|
// Routes serves POST /{{plural}} and GET /{{plural}}/{{{key}}}.
func (s *Store) Routes() *http.ServeMux {
    mux := http.NewServeMux()
    mux.HandleFunc("POST /{{plural}}", func(w http.ResponseWriter, r *http.Request) {
        var in {{Entity}}
        if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
            http.Error(w, "expected JSON with a {{value}}", http.StatusBadRequest)
            return
        }
@+|        if !valid{{Value}}(in.{{Value}}) {
@+|            http.Error(w, "invalid {{value}}", http.StatusBadRequest)
@+|            return
@+|        }
        writeJSON(w, http.StatusCreated, s.Add(in.{{Value}}))
    })
    mux.HandleFunc("GET /{{plural}}/{{{key}}}", func(w http.ResponseWriter, r *http.Request) {
        item, ok := s.Get(r.PathValue("{{key}}"))
        if !ok {
            http.Error(w, "unknown {{key}}", http.StatusNotFound)
            return
        }
        writeJSON(w, http.StatusOK, item)
    })
    return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
    w.Header().Set("Content-Type", "application/json")
    w.WriteHeader(status)
    _ = json.NewEncoder(w).Encode(v)
}

func main() {
    addr := "127.0.0.1:8080"
    fmt.Println("listening on http://" + addr)
    log.Fatal(http.ListenAndServe(addr, NewStore().Routes()))
}
'''

GO_TEST = r'''// main_test.go
package main

import (
    "encoding/json"
    "net/http"
    "net/http/httptest"
    "strings"
    "testing"
)

func TestAddThenGet(t *testing.T) {
    srv := httptest.NewServer(NewStore().Routes())
    defer srv.Close()
    res, err := http.Post(srv.URL+"/{{plural}}", "application/json", strings.NewReader(`{"{{value}}": "{{sample}}"}`))
    if err != nil || res.StatusCode != http.StatusCreated {
        t.Fatalf("create: %v %v", err, res)
    }
    var created {{Entity}}
    if err := json.NewDecoder(res.Body).Decode(&created); err != nil {
        t.Fatal(err)
    }
    got, err := http.Get(srv.URL + "/{{plural}}/" + created.{{Key}})
    if err != nil || got.StatusCode != http.StatusOK {
        t.Fatalf("get %q: %v %v", created.{{Key}}, err, got)
    }
}
@+|
@+|func TestRejectsBadInput(t *testing.T) {
@+|    srv := httptest.NewServer(NewStore().Routes())
@+|    defer srv.Close()
@+|    if res, _ := http.Get(srv.URL + "/{{plural}}/nope"); res.StatusCode != http.StatusNotFound {
@+|        t.Errorf("unknown {{key}}: want 404, got %d", res.StatusCode)
@+|    }
@+|    res, _ := http.Post(srv.URL+"/{{plural}}", "application/json", strings.NewReader(`{"{{value}}": "{{bad}}"}`))
@+|    if res.StatusCode != http.StatusBadRequest {
@+|        t.Errorf("invalid {{value}}: want 400, got %d", res.StatusCode)
@+|    }
@+|}
'''

PY_MAIN = r'''"""{{title}}: a small HTTP service keeping {{plural}} in memory (standard library only).

Run: python app.py    Test: python -m pytest test_app.py
"""
from __future__ import annotations

import json
@+|import threading
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class {{Entity}}:
    {{key}}: str
    {{value}}: str


class Store:
    def __init__(self) -> None:
        self._items: dict[str, {{Entity}}] = {}
        self._next = 0
@+|        self._lock = threading.Lock()  # handlers run in threads

    def add(self, {{value}}: str) -> {{Entity}}:
@-|        self._next += 1
@-|        item = {{Entity}}({{newkey}}, {{value}})
@-|        self._items[item.{{key}}] = item
@+|        with self._lock:
@+|            self._next += 1
@+|            item = {{Entity}}({{newkey}}, {{value}})
@+|            self._items[item.{{key}}] = item
        return item

    def get(self, {{key}}: str) -> {{Entity}} | None:
        return self._items.get({{key}})


@+|def is_valid({{value}}: str) -> bool:
@+|    {{valid}}
@+|
@+|
def make_handler(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/{{plural}}":
                return self._send(404, {"error": "not found"})
            try:
                size = int(self.headers.get("Content-Length") or 0)
                {{value}} = str(json.loads(self.rfile.read(size))["{{value}}"])
            except (ValueError, KeyError, TypeError):
                return self._send(400, {"error": "expected JSON with a {{value}}"})
@+|            if not is_valid({{value}}):
@+|                return self._send(400, {"error": "invalid {{value}}"})
            self._send(201, asdict(store.add({{value}})))

        def do_GET(self) -> None:
            prefix = "/{{plural}}/"
            item = store.get(self.path[len(prefix):]) if self.path.startswith(prefix) else None
            if item is None:
                return self._send(404, {"error": "unknown {{key}}"})
            self._send(200, asdict(item))

    return Handler


if __name__ == "__main__":
    print("listening on http://127.0.0.1:8080")
    ThreadingHTTPServer(("127.0.0.1", 8080), make_handler(Store())).serve_forever()
'''

PY_TEST = r'''# test_app.py
@-|from app import Store
@+|from app import Store, is_valid


def test_add_then_get() -> None:
    store = Store()
    item = store.add("{{sample}}")
    assert store.get(item.{{key}}) == item


def test_keys_are_unique() -> None:
    store = Store()
    assert store.add("{{sample}}").{{key}} != store.add("{{sample}}").{{key}}
@+|
@+|
@+|def test_unknown_{{key}}_is_none() -> None:
@+|    assert Store().get("nope") is None
@+|
@+|
@+|def test_rejects_invalid_{{value}}() -> None:
@+|    assert not is_valid("{{bad}}")
@+|    assert is_valid("{{sample}}")
'''

RUST_MAIN = r'''// src/main.rs: {{title}} as a small command-line tool keeping {{plural}} in memory.
// Run: cargo run -- "{{sample}}"    Test: cargo test
use std::collections::HashMap;
use std::env;
@+|use std::process::ExitCode;

#[derive(Debug, Clone, PartialEq)]
pub struct {{Entity}} {
    pub {{key}}: String,
    pub {{value}}: String,
}

#[derive(Default)]
pub struct Store {
    items: HashMap<String, {{Entity}}>,
    next: u32,
}

impl Store {
@-|    pub fn add(&mut self, {{value}}: &str) -> {{Entity}} {
@+|    pub fn add(&mut self, {{value}}: &str) -> Result<{{Entity}}, String> {
@+|        if !is_valid({{value}}) {
@+|            return Err(format!("invalid {{value}}: {{{value}}:?}"));
@+|        }
        self.next += 1;
        let item = {{Entity}} { {{key}}: {{newkey}}, {{value}}: {{value}}.to_string() };
        self.items.insert(item.{{key}}.clone(), item.clone());
@-|        item
@+|        Ok(item)
    }

    pub fn get(&self, {{key}}: &str) -> Option<&{{Entity}}> {
        self.items.get({{key}})
    }
}

@+|fn is_valid({{value}}: &str) -> bool {
@+|    {{valid}}
@+|}
@+|
@-|fn main() {
@-|    let args: Vec<String> = env::args().skip(1).collect();
@-|    let mut store = Store::default();
@-|    let first = store.add(&args[0]);
@-|    println!("{} -> {}", first.{{key}}, first.{{value}});
@-|    for arg in &args[1..] {
@-|        let item = store.add(arg);
@-|        println!("{} -> {}", item.{{key}}, item.{{value}});
@-|    }
@-|}
@+|fn main() -> ExitCode {
@+|    let args: Vec<String> = env::args().skip(1).collect();
@+|    if args.is_empty() {
@+|        eprintln!("usage: {{crate}} <{{value}}>...");
@+|        return ExitCode::from(2);
@+|    }
@+|    let mut store = Store::default();
@+|    for arg in &args {
@+|        match store.add(arg) {
@+|            Ok(item) => println!("{} -> {}", item.{{key}}, item.{{value}}),
@+|            Err(err) => eprintln!("skipped: {err}"),
@+|        }
@+|    }
@+|    ExitCode::SUCCESS
@+|}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_then_get() {
        let mut store = Store::default();
@-|        let item = store.add("{{sample}}");
@+|        let item = store.add("{{sample}}").unwrap();
        assert_eq!(store.get(&item.{{key}}), Some(&item));
    }
@+|
@+|    #[test]
@+|    fn unknown_{{key}}_is_none() {
@+|        assert_eq!(Store::default().get("nope"), None);
@+|    }
@+|
@+|    #[test]
@+|    fn rejects_invalid_{{value}}() {
@+|        assert!(Store::default().add("{{bad}}").is_err());
@+|    }
}
'''

TEMPLATES = {
    "Go": [("main.go", GO_MAIN), ("main_test.go", GO_TEST)],
    "Python": [("app.py", PY_MAIN), ("test_app.py", PY_TEST)],
    "Rust": [("src/main.rs", RUST_MAIN)],
}
