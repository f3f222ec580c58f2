using Gateway.Config;

using Gateway.Testing;

namespace Gateway.Config.Tests;

/// <summary>One case per kind of error: each names the key path and what was expected.</summary>
public class ConfigErrorTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL86LE6owiTocSBMGg/jZsfLICwhyJQJ9PMsMjwy22Hp demo";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, hocon, path, message fragment
        { "unknown root key", "adress = \"127.0.0.1:1\"", "adress", "unknown key (did you mean `address`?)" },
        { "unknown route key", ConfigAssert.Route("allow_public_unauthenticated_acess = true"),
            "routes[0].allow_public_unauthenticated_acess", "did you mean `allow_public_unauthenticated_access`?" },
        { "unknown key far from any", "zzzzqqq = 1", "zzzzqqq", "unknown key" },
        { "ssh_max_startups rate", "ssh_max_startups = \"10:130:100\"", "ssh_max_startups", "rate is a percentage from 0 to 100" },
        { "ssh_max_startups shape", "ssh_max_startups = \"lots\"", "ssh_max_startups", "expected \"start:rate:full\"" },
        { "ssh_max_startups order", "ssh_max_startups = \"20:30:10\"", "ssh_max_startups", "full must be at least start" },
        { "ssh_per_source_max_startups", "ssh_per_source_max_startups = 0", "ssh_per_source_max_startups", "expected an integer from 1 to 100000" },
        { "ssh_max_connections", "ssh_max_connections = 0", "ssh_max_connections", "expected an integer from 1 to 1000000" },
        { "ssh_login_grace_time zero", "ssh_login_grace_time = \"0s\"", "ssh_login_grace_time", "must be more than 0" },
        { "ssh_login_grace_time unit", "ssh_login_grace_time = \"2 fortnights\"", "ssh_login_grace_time", "expected a duration" },
        { "bool type", "insecure_server = maybe", "insecure_server", "expected true or false, got \"maybe\"" },
        { "list type", "ssh_host_key_files = \"/x\"", "ssh_host_key_files", "expected a list, got \"/x\"" },
        { "string type", "address = [1]", "address", "expected a string, got a list" },
        { "object type", "runtime_flags = 1", "runtime_flags", "expected an object" },
        { "address without port", "address = \"localhost\"", "address", "no port" },
        { "address port range", "address = \"localhost:70000\"", "address", "port from 0 to 65535" },
        { "runtime flag unknown", "runtime_flags { ssh_upstream_tunel = true }", "runtime_flags.ssh_upstream_tunel", "did you mean `ssh_upstream_tunnel`?" },
        { "to scheme", "routes = [\n{ from = \"https://a.example.com\", to = \"http://a\" }\n{ from = \"https://b.example.com\", to = \"http://b\" }\n{ from = \"https://c.example.com\", to = [\"ftp://x\"] }\n]",
            "routes[2].to[0]", "expected an http://, https:// or h2c:// URL, got \"ftp://x\"" },
        { "to not a URL", ConfigAssert.Route(to: "\"localhost:8080\""), "routes[0].to", "expected an http://, https:// or h2c:// URL" },
        { "to missing", "routes = [{ from = \"https://a.example.com\" }]", "routes[0].to", "required" },
        { "to empty list", ConfigAssert.Route(to: "[]"), "routes[0].to", "at least one" },
        { "weight zero", ConfigAssert.Route(to: "[\"http://a:1,0\"]"), "routes[0].to[0]", "weight must be greater than zero" },
        { "weight not a number", ConfigAssert.Route(to: "[\"http://a:1,x\"]"), "routes[0].to[0]", "positive integer weight" },
        { "pooled lifetime zero", "upstream_pooled_connection_lifetime = 0", "upstream_pooled_connection_lifetime", "must be greater than zero" },
        { "h2c mixed with http", ConfigAssert.Route(to: "[\"h2c://a:50051\", \"http://b\"]"), "routes[0].to", "h2c:// 'to' URLs cannot be mixed with http:// or https://" },
        { "https to two hosts", ConfigAssert.Route(to: "[\"https://a\", \"https://b\"]"), "routes[0].to", "need tls_upstream_server_name" },
        { "tls_skip_verify type", ConfigAssert.Route("tls_skip_verify = maybe"), "routes[0].tls_skip_verify", "expected true or false" },
        { "from http", ConfigAssert.Route(from: "http://a.example.com"), "routes[0].from", "use https://" },
        { "from without host", ConfigAssert.Route(from: "https://"), "routes[0].from", "expected an https://host or ssh://name URL, got \"https://\"" },
        { "from missing", "routes = [{ to = \"http://a\" }]", "routes[0].from", "required" },
        { "from with path", ConfigAssert.Route(from: "https://a.example.com/app"), "routes[0].from", "without path" },
        { "from bad wildcard", ConfigAssert.Route(from: "https://a.*.example.com"), "routes[0].from", "wildcard is only allowed" },
        { "ssh from with port", ConfigAssert.Route(from: "ssh://box:22", to: "\"ssh://box:22\""), "routes[0].from", "without a port" },
        { "ssh route two to", ConfigAssert.Route(from: "ssh://box", to: "[\"ssh://a:22\", \"ssh://b:22\"]"), "routes[0].to", "only one 'to' entry allowed for ssh routes" },
        { "ssh route http to", ConfigAssert.Route(from: "ssh://box", to: "\"http://a\""), "routes[0].to", "must have ssh scheme" },
        { "duplicate from", "routes = [\n{ from = \"https://a.example.com\", to = \"http://a\" }\n{ from = \"https://A.example.com/\", to = \"http://b\" }\n]",
            "routes[1].from", "duplicate route: \"https://A.example.com/\" is already defined at routes[0].from" },
        { "duplicate id", "routes = [\n{ id = r, from = \"https://a.example.com\", to = \"http://a\" }\n{ id = r, from = \"https://b.example.com\", to = \"http://b\" }\n]",
            "routes[1].id", "duplicate route id \"r\"" },
        { "policy not object", ConfigAssert.Route("policy = \"allow\""), "routes[0].policy", "expected an object with allow and/or deny" },
        { "policy unknown action", ConfigAssert.Route("policy { alow { or = [{ accept = true }] } }"), "routes[0].policy.alow", "did you mean `allow`?" },
        { "policy unknown operator", ConfigAssert.Route("policy { allow { xor = [{ accept = true }] } }"), "routes[0].policy.allow.xor", "unknown key" },
        { "policy operator not list", ConfigAssert.Route("policy { allow { or { email = \"a@b.c\" } } }"), "routes[0].policy.allow.or", "expected a list of criteria" },
        { "policy criterion not object", ConfigAssert.Route("policy { allow { and = [\"email\"] } }"), "routes[0].policy.allow.and[0]", "expected a criterion object" },
        { "ssh_policy shape in list", ConfigAssert.Route("upstream_tunnel { ssh_policy = [{ allow { or = [{accept = true}] } }, 5] }"),
            "routes[0].upstream_tunnel.ssh_policy[1]", "expected an object with allow and/or deny" },
        { "upstream_tunnel unknown key", ConfigAssert.Route("upstream_tunnel { ssh_polcy { allow { or = [{accept = true}] } } }"),
            "routes[0].upstream_tunnel.ssh_polcy", "did you mean `ssh_policy`?" },
        { "duration unit", ConfigAssert.Route("timeout = \"30 parsecs\""), "routes[0].timeout", "expected a duration" },
        { "duration bare number", ConfigAssert.Route("idle_timeout = 30"), "routes[0].idle_timeout", "expected a duration" },
        { "retry policy value", ConfigAssert.Route("retry_on_tunnel_failure = always\nupstream_tunnel { ssh_policy { allow { or = [{ accept = true }] } } }"),
            "routes[0].retry_on_tunnel_failure", "expected \"idempotent\" or \"never\", got \"always\"" },
        { "retry policy without tunnel", ConfigAssert.Route("retry_on_tunnel_failure = never"),
            "routes[0].retry_on_tunnel_failure", "applies only to routes with upstream_tunnel" },
        { "regex", ConfigAssert.Route("host_path_regex_rewrite_pattern = \"(\"\nhost_path_regex_rewrite_substitution = x"),
            "routes[0].host_path_regex_rewrite_pattern", "invalid regular expression" },
        { "regex substitution alone", ConfigAssert.Route("host_path_regex_rewrite_substitution = x"),
            "routes[0].host_path_regex_rewrite_pattern", "required when host_path_regex_rewrite_substitution is set" },
        { "user email", "users = [{ email = \"nobody\" }]", "users[0].email", "expected an email address" },
        { "user email missing", "users = [{ name = x }]", "users[0].email", "required" },
        { "user duplicate", "users = [{ email = \"a@b.c\" }, { email = \"A@b.c\" }]", "users[1].email", "duplicate user" },
        { "user key base64", "users = [{ email = \"a@b.c\", ssh_keys = [\"ssh-ed25519 !!!notbase64\"] }]", "users[0].ssh_keys[0]", "not valid base64" },
        { "user key type mismatch", "users = [{ email = \"a@b.c\", ssh_keys = [\"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIL86LE6owiTocSBMGg/jZsfLICwhyJQJ9PMsMjwy22Hp\"] }]",
            "users[0].ssh_keys[0]", "the key blob says \"ssh-ed25519\" but the line says \"ssh-rsa\"" },
        { "user key unknown type", "users = [{ email = \"a@b.c\", ssh_keys = [\"ssh-foo AAAA\"] }]", "users[0].ssh_keys[0]", "unknown key type \"ssh-foo\"" },
        { "user unknown key", $"users = [{{ email = \"a@b.c\", ssh_key = [\"{Key}\"] }}]", "users[0].ssh_key", "did you mean `ssh_keys`?" },
        { "trusted ca line", "trusted_user_ca_keys = [\"cert-authority garbage\"]", "trusted_user_ca_keys[0]", "unknown key type" },
        { "user key options", $"users = [{{ email = \"a@b.c\", ssh_keys = [\"{Key}\", \"from=\\\"10.0.0.0/8\\\",no-pty {Key}\"] }}]",
            "users[0].ssh_keys[1]", "authorized_keys options (from, no-pty) are not enforced" },
        { "user key bad option", $"users = [{{ email = \"a@b.c\", ssh_keys = [\"no-ptty {Key}\"] }}]", "users[0].ssh_keys[0]", "unknown option \"no-ptty\"" },
        { "user security key", "users = [{ email = \"a@b.c\", ssh_keys = [\"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YpjAAAABHNzaDo=\"] }]",
            "users[0].ssh_keys[0]", "cannot verify its signatures" },
        { "ca key option other than cert-authority", $"trusted_user_ca_keys = [\"cert-authority,principals=\\\"alice\\\" {Key}\"]",
            "trusted_user_ca_keys[0]", "only the cert-authority option is allowed on a CA key; principals" },
        { "ca security key", "trusted_user_ca_keys = [\"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YpjAAAABHNzaDo=\"]", "trusted_user_ca_keys[0]", "cannot verify its signatures" },
        { "algorithm", "ssh_ciphers = [\"aes128-cbc\"]", "ssh_ciphers[0]", "unknown algorithm \"aes128-cbc\"" },
        { "algorithm list empty", "ssh_macs = []", "ssh_macs", "at least one algorithm" },
        { "cluster port", "cluster { port = 70000 }", "cluster.port", "expected an integer from 0 to 65535" },
        { "cluster seed", "cluster { seed_nodes = [\"nohost\"] }", "cluster.seed_nodes[0]", "expected \"host:port\"" },
        { "cluster unknown key", "cluster { seednodes = [] }", "cluster.seednodes", "did you mean `seed_nodes`?" },
        { "health check kind missing", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1 }]"),
            "routes[0].health_checks[0]", "expected exactly one of http_health_check" },
        { "health check two kinds", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\" }, grpc_health_check = {} }]"),
            "routes[0].health_checks[0]", "only one of" },
        { "health check timeout missing", ConfigAssert.Route("health_checks = [{ interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, tcp_health_check = {} }]"),
            "routes[0].health_checks[0].timeout", "required" },
        { "health check threshold", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 0, healthy_threshold = 1, tcp_health_check = {} }]"),
            "routes[0].health_checks[0].unhealthy_threshold", "expected an integer from 1" },
        { "health check path", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"health\" } }]"),
            "routes[0].health_checks[0].http_health_check.path", "starting with '/'" },
        { "health check statuses", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", expected_statuses = [{ start = 300, end = 200 }] } }]"),
            "routes[0].health_checks[0].http_health_check.expected_statuses[0]", "end (200) must be greater than start (300)" },
        { "health check codec", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", codec_client_type = HTTP4 } }]"),
            "routes[0].health_checks[0].http_health_check.codec_client_type", "expected HTTP1, HTTP2 or HTTP3" },
        { "health check payload", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, tcp_health_check = { send = { text = \"zz\" } } }]"),
            "routes[0].health_checks[0].tcp_health_check.send.text", "expected hex digits" },
        { "health check unknown key", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, tcp_health_check = {}, always_log_health_check_sucess = true }]"),
            "routes[0].health_checks[0].always_log_health_check_sucess", "did you mean `always_log_health_check_success`?" },
        { "panic threshold above 100", ConfigAssert.Route("healthy_panic_threshold = 101"),
            "routes[0].healthy_panic_threshold", "expected a percent from 0 to 100" },
        { "panic threshold negative", ConfigAssert.Route("healthy_panic_threshold = -1"),
            "routes[0].healthy_panic_threshold", "expected a percent from 0 to 100" },
        { "panic threshold text", ConfigAssert.Route("healthy_panic_threshold = half"),
            "routes[0].healthy_panic_threshold", "expected a percent from 0 to 100" },
        { "health check receive over buffer", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", response_buffer_size = 2, receive = [{ text = \"6f6b21\" }] } }]"),
            "routes[0].health_checks[0].http_health_check.receive", "the receive payloads are 3 bytes, longer than response_buffer_size (2)" },
        { "health check receive over default buffer", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", receive = [{ binary = \"" + Convert.ToBase64String(new byte[1025]) + "\" }] } }]"),
            "routes[0].health_checks[0].http_health_check.receive", "longer than response_buffer_size (1024, the default)" },
        { "health check removes host", ConfigAssert.Route("health_checks = [{ timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1, http_health_check = { path = \"/\", request_headers_to_remove = [\"x-a\", \"Host\"] } }]"),
            "routes[0].health_checks[0].http_health_check.request_headers_to_remove[1]", "\"Host\" cannot be removed" },
        { "syntax", "address = \"127.0.0.1:1\"\nruntime_flags { ssh_upstream_tunnel = true }, insecure_server = true", "(syntax)", "line 2, column" },
        { "unquoted URL", "routes = [{ from = https://a.example.com, to = \"http://a\" }]", "(syntax)", "Quote values" },
        { "certificate missing", "certificates = [{ cert = \"/nonexistent/c.pem\", key = \"/nonexistent/k.pem\" }]", "certificates[0].cert", "file not found: /nonexistent/c.pem" },
        { "certificate key missing key", "certificates = [{ cert = \"/nonexistent/c.pem\" }]", "certificates[0].key", "required" },
        { "host key file missing", "ssh_host_key_files = [\"/nonexistent/host_key\"]", "ssh_host_key_files[0]", "file not found" },
        { "inline host key", "ssh_host_keys = [\"not a key\"]", "ssh_host_keys[0]", "expected an inline PEM private key" },
        { "trusted proxy host bits", "trusted_proxies = [\"10.0.0.0/8\", \"10.1.2.3/8\"]", "trusted_proxies[1]",
            "expected an IP address or a CIDR range such as \"10.0.0.0/8\" (no bits set after the prefix), got \"10.1.2.3/8\"" },
        { "trusted proxy name", "trusted_proxies = [\"lb.example.com\"]", "trusted_proxies[0]", "expected an IP address or a CIDR range" },
        { "trusted proxy prefix", "trusted_proxies = [\"10.0.0.0/33\"]", "trusted_proxies[0]", "got \"10.0.0.0/33\"" },
        { "trusted proxies not a list", "trusted_proxies = \"10.0.0.0/8\"", "trusted_proxies", "expected a list" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ErrorNamesKeyPath(string name, string hocon, string path, string fragment)
    {
        Assert.False(string.IsNullOrEmpty(name));
        ConfigAssert.HasProblem(hocon, path, fragment);
    }

    [Fact]
    public void ToMessageMatchesDocumentedFormat()
    {
        var hocon = "routes = [\n{ from = \"https://a.example.com\", to = \"http://a\" }\n{ from = \"https://b.example.com\", to = \"http://b\" }\n{ from = \"https://c.example.com\", to = [\"ftp://x\"] }\n]";
        var ex = ConfigAssert.Fails(hocon);
        Assert.Contains("routes[2].to[0]: expected an http://, https:// or h2c:// URL, got \"ftp://x\"", ex.Message);
    }

    [Fact]
    public void MultipleErrorsAreReportedTogether()
    {
        var hocon = """
            adress = "127.0.0.1:1"
            insecure_server = perhaps
            ssh_ciphers = ["des"]
            routes = [
              { from = "https://a.example.com", to = "ftp://a" }
              { from = "https://a.example.com", to = "http://a", timeout = "soon" }
            ]
            """;
        var ex = ConfigAssert.Fails(hocon);
        var paths = ex.Problems.Select(p => p.Path).ToList();
        Assert.Equal(
            ["adress", "insecure_server", "ssh_ciphers[0]", "routes[0].to", "routes[1].timeout", "routes[1].from"],
            paths);
        Assert.Contains("6 problems", ex.Message);
        foreach (var path in paths)
            Assert.Contains($"  - {path}: ", ex.Message);
    }

    [Fact]
    public void CertificateNotPem()
    {
        using var dir = new TempDirectory();
        var cert = dir.Write("c.pem", "hello");
        var (_, key) = dir.WriteCertificate();
        ConfigAssert.HasProblem($"certificates = [{{ cert = \"{cert}\", key = \"{key}\" }}]", "certificates[0].cert", "is not a PEM file");
    }

    [Fact]
    public void CertificateAndKeyThatDoNotMatch()
    {
        using var dir = new TempDirectory();
        var (cert, _) = dir.WriteCertificate("one");
        var (_, otherKey) = dir.WriteCertificate("two");
        ConfigAssert.HasProblem($"certificates = [{{ cert = \"{cert}\", key = \"{otherKey}\" }}]", "certificates[0]", "could not load the certificate and key");
    }

    [Fact]
    public void ValidCertificateWithRelativePathsLoads()
    {
        using var dir = new TempDirectory();
        dir.WriteCertificate();
        var config = GatewayConfigLoader.Parse("certificates = [{ cert = \"tls.crt\", key = \"tls.key\" }]", dir.Path, ConfigAssert.NoEnv);
        var pair = Assert.Single(config.Certificates);
        Assert.Equal(Path.Combine(dir.Path, "tls.crt"), pair.Cert);
        Assert.Equal(Path.Combine(dir.Path, "tls.key"), pair.Key);
    }

    [Fact]
    public void HostKeyFileWithOpenPermissions()
    {
        using var dir = new TempDirectory();
        var key = dir.WritePrivateKey("host_key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ConfigAssert.HasProblem($"ssh_host_key_files = [\"{key}\"]", "ssh_host_key_files[0]", "permissions are too open");
    }

    [Fact]
    public void UserCaKeyFileChecked()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("ca", "not pem");
        ConfigAssert.HasProblem($"ssh_user_ca_key_file = \"{file}\"", "ssh_user_ca_key_file", "is not a PEM file");
    }

    [Fact]
    public void ValidHostKeysLoad()
    {
        using var dir = new TempDirectory();
        var key = dir.WritePrivateKey("host_key");
        var inline = File.ReadAllText(key).TrimEnd('\n').Replace("\n", "\\n");
        var config = GatewayConfigLoader.Parse($"ssh_host_key_files = [\"{key}\"]\nssh_host_keys = [\"{inline}\"]", dir.Path, ConfigAssert.NoEnv);
        Assert.Equal(key, Assert.Single(config.SshHostKeyFiles));
        var text = Assert.Single(config.SshHostKeys);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", text);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", text);
    }
}
