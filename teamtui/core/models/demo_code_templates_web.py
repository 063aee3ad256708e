"""Code templates the demo developer fills in: TypeScript/JavaScript (one template; ``[[...]]``
holds TypeScript-only text) and Java. Markers as in ``demo_code_templates``.
"""

TS_MAIN = r'''// {{file}}: {{title}} as a small HTTP service (Node 20+, no dependencies).
// Run: {{run}}    Test: {{test}}
import { createServer[[, type IncomingMessage, type ServerResponse]] } from "node:http";
import { fileURLToPath } from "node:url";

@T|export interface {{Entity}} {
@T|  {{key}}: string;
@T|  {{value}}: string;
@T|}
@T|
export class Store {
  [[private ]]items = new Map[[<string, {{Entity}}>]]();
  [[private ]]next = 0;

  add({{value}}[[: string]])[[: {{Entity}}]] {
    this.next += 1;
    const item = { {{key}}: {{newkey}}, {{value}} };
    this.items.set(item.{{key}}, item);
    return item;
  }

  get({{key}}[[: string]])[[: {{Entity}} | undefined]] {
    return this.items.get({{key}});
  }
}

@+|const MAX_BODY = 16 * 1024; // bytes: larger bodies are refused, not buffered
@+|
@+|export function isValid({{value}}[[: unknown]])[[: {{value}} is string]] {
@+|  {{valid}}
@+|}
@+|
function readBody(req[[: IncomingMessage]])[[: Promise<string>]] {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
@+|      if (body.length > MAX_BODY) {
@+|        reject(new Error("body too large"));
@+|        req.destroy();
@+|      }
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function send(res[[: ServerResponse]], status[[: number]], body[[: unknown]])[[: void]] {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

export function handler(store[[: Store]]) {
  return async (req[[: IncomingMessage]], res[[: ServerResponse]]) => {
    const path = req.url ?? "/";
    if (req.method === "POST" && path === "/{{plural}}") {
      let {{value}}[[: unknown]];
      try {
        ({ {{value}} } = JSON.parse(await readBody(req)));
      } catch {
        return send(res, 400, { error: "expected JSON with a {{value}}" });
      }
@+|      if (!isValid({{value}})) return send(res, 400, { error: "invalid {{value}}" });
      return send(res, 201, store.add(String({{value}})));
    }
    const match = /^\/{{plural}}\/([^/]+)$/.exec(path);
    const item = req.method === "GET" && match ? store.get(match[1]) : undefined;
    return item ? send(res, 200, item) : send(res, 404, { error: "unknown {{key}}" });
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  createServer(handler(new Store())).listen(8080, "127.0.0.1");
  console.log("listening on http://127.0.0.1:8080");
}
'''

TS_TEST = r'''// {{testfile}}
import { test } from "node:test";
import assert from "node:assert/strict";
@-|import { Store } from "{{module}}";
@+|import { Store, isValid } from "{{module}}";

test("add then get", () => {
  const store = new Store();
  const item = store.add("{{sample}}");
  assert.deepEqual(store.get(item.{{key}}), item);
});

test("keys are unique", () => {
  const store = new Store();
  assert.notEqual(store.add("{{sample}}").{{key}}, store.add("{{sample}}").{{key}});
});
@+|
@+|test("unknown {{key}} is undefined", () => {
@+|  assert.equal(new Store().get("nope"), undefined);
@+|});
@+|
@+|test("rejects an invalid {{value}}", () => {
@+|  assert.equal(isValid("{{bad}}"), false);
@+|});
'''

JAVA_MAIN = r'''// {{Entity}}Service.java: {{title}} as a small HTTP service (JDK 17+, no dependencies).
// Run: java {{Entity}}Service.java    Test: JUnit 5 ({{Entity}}ServiceTest)
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
@-|import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
@+|import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
@+|import java.util.concurrent.atomic.AtomicInteger;

public class {{Entity}}Service {
    public record {{Entity}}(String {{key}}, String {{value}}) {}

@-|    private final Map<String, {{Entity}}> items = new HashMap<>();
@-|    private int next = 0;
@+|    private final Map<String, {{Entity}}> items = new ConcurrentHashMap<>();
@+|    private final AtomicInteger next = new AtomicInteger();

    public {{Entity}} add(String {{value}}) {
@-|        int n = ++next;
@+|        int n = next.incrementAndGet();
        {{Entity}} item = new {{Entity}}({{newkey}}, {{value}});
        items.put(item.{{key}}(), item);
        return item;
    }

    public Optional<{{Entity}}> get(String {{key}}) {
        return Optional.ofNullable(items.get({{key}}));
    }

@+|    static boolean isValid(String {{value}}) {
@+|        {{valid}}
@+|    }
@+|
    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String prefix = "/{{plural}}/";
        if (method.equals("POST") && path.equals("/{{plural}}")) {
            String {{value}} = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip();
@+|            if (!isValid({{value}})) {
@+|                send(ex, 400, "invalid {{value}}");
@+|                return;
@+|            }
            send(ex, 201, add({{value}}).{{key}}());
        } else if (method.equals("GET") && path.startsWith(prefix)) {
            Optional<{{Entity}}> item = get(path.substring(prefix.length()));
            send(ex, item.isPresent() ? 200 : 404, item.map({{Entity}}::{{value}}).orElse("unknown {{key}}"));
        } else {
            send(ex, 404, "not found");
        }
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public static void main(String[] args) throws IOException {
        {{Entity}}Service service = new {{Entity}}Service();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
        server.createContext("/", service::handle);
        server.setExecutor(Executors.newFixedThreadPool(4)); // requests are served concurrently
        server.start();
        System.out.println("listening on http://127.0.0.1:8080");
    }
}
'''

JAVA_TEST = r'''// {{Entity}}ServiceTest.java
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class {{Entity}}ServiceTest {
    @Test
    void addThenGet() {
        var service = new {{Entity}}Service();
        var item = service.add("{{sample}}");
        assertEquals(item, service.get(item.{{key}}()).orElseThrow());
    }
@+|
@+|    @Test
@+|    void unknown{{Key}}IsEmpty() {
@+|        assertTrue(new {{Entity}}Service().get("nope").isEmpty());
@+|    }
@+|
@+|    @Test
@+|    void rejectsInvalid{{Value}}() {
@+|        assertFalse({{Entity}}Service.isValid("{{bad}}"));
@+|    }
}
'''

TEMPLATES = {
    "TypeScript": [("server.ts", TS_MAIN), ("server.test.ts", TS_TEST)],
    "JavaScript": [("server.mjs", TS_MAIN), ("server.test.mjs", TS_TEST)],
    "Java": [("{{Entity}}Service.java", JAVA_MAIN), ("{{Entity}}ServiceTest.java", JAVA_TEST)],
}
