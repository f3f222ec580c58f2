using System.Text.Json;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The internal commands as the real OpenSSH client runs them (<c>ssh gw COMMAND</c> is an
/// <c>exec</c> request): output on stdout, errors and help on stderr, ssh's exit status the
/// command's, and what <c>routes</c> and <c>status</c> read from the live node.
/// </summary>
public sealed class InternalCliTests : IClassFixture<InternalCliTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public InternalCliTests(Fixture fixture) => _f = fixture;

    /// <summary>
    /// One node: a health-checked route alice and bob may serve ("live", bob's <c>ssh -N -R 0</c>
    /// serves it), one only alice may serve (nobody serves it), one only bob may serve.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public NamedUpstream App { get; private set; } = null!;
        public TunnelClient Alice { get; private set; } = null!;
        public TunnelClient Bob { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;
        public ExternalProcess BobTunnel { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            App = await NamedUpstream.StartAsync("cli-app");
            Alice = await TunnelClient.CreateAsync(Dir, "alice");
            Bob = await TunnelClient.CreateAsync(Dir, "bob");
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [
                  { email = "alice@example.com", name = "Alice", groups = ["dev", "ops"], ssh_keys = ["{{Alice.PublicKey}}"] }
                  { email = "bob@example.com", ssh_keys = ["{{Bob.PublicKey}}"] }
                ]
                routes = [
                  {
                    from = "https://cli-live.example.com"
                    to = "{{App.Url}}"
                    allow_public_unauthenticated_access = true
                    upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }, { email { is = "bob@example.com" } }] } } }
                    health_checks = [{ http_health_check = { path = "/health" }, timeout = 2s, interval = 1s, unhealthy_threshold = 1, healthy_threshold = 1 }]
                  }
                  {
                    from = "https://cli-idle.example.com"
                    to = "http://127.0.0.1:9"
                    allow_public_unauthenticated_access = true
                    upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
                  }
                  {
                    from = "https://cli-bob.example.com"
                    to = "{{App.Url}}"
                    allow_public_unauthenticated_access = true
                    upstream_tunnel { ssh_policy { allow { or = [{ email { is = "bob@example.com" } }] } } }
                  }
                ]
                """);
            BobTunnel = Bob.Connect(Node, ["-N", "-v", "-R", "0"]);
            Assert.NotNull(await TunnelClient.WaitForForwardAsync(BobTunnel, Timeout));
        }

        public Task<ProcessResult> RunAsync(TunnelClient user, string command, params string[] flags)
        {
            var ssh = new OpenSshClient(Dir, Node.SshPort, Node.HostKeyLine, user.KeyPath, user: "tunnel");
            return ssh.RunAsync(command, flags: flags, timeout: Timeout);
        }

        /// <summary><c>ssh [options] tunnel@127.0.0.1 -- WORD...</c></summary>
        public Task<ProcessResult> RunAfterDashDashAsync(TunnelClient user, params string[] words)
        {
            var args = new OpenSshClient(Dir, Node.SshPort, Node.HostKeyLine, user.KeyPath, user: "tunnel").Arguments();
            args.Add("--");
            args.AddRange(words);
            return ExternalProcess.RunAsync("ssh", args, Timeout);
        }

        public async Task DisposeAsync()
        {
            await BobTunnel.DisposeAsync();
            await Node.DisposeAsync();
            await App.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Whoami_shows_the_identity_and_the_key_fingerprint_as_ssh_keygen_prints_it()
    {
        var result = await _f.RunAsync(_f.Alice, "whoami");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var keygen = await ExternalProcess.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", _f.Alice.KeyPath + ".pub"], Timeout);
        var fingerprint = keygen.Stdout.Split(' ')[1]; // "256 SHA256:... alice (ED25519)"
        Assert.StartsWith("SHA256:", fingerprint);
        Assert.Contains("Email:          alice@example.com\n", result.Stdout);
        Assert.Contains("Name:           Alice\n", result.Stdout);
        Assert.Contains("Groups:         dev, ops\n", result.Stdout);
        Assert.Contains("Signed in with: public key\n", result.Stdout);
        Assert.Contains($"Key:            ED25519 {fingerprint}\n", result.Stdout);
        Assert.Contains("SSH user:       tunnel\n", result.Stdout);
        Assert.Matches(@"Session:        ssh-\d+-[0-9a-f]{8} from 127\.0\.0\.1:\d+\n", result.Stdout);
        Assert.Contains("Expires:        no expiry", result.Stdout);

        // The same as a script reads it, written as the reference's documentation does ("ssh gw -- whoami"):
        // OpenSSH joins the words after "--" into one command line.
        var json = await _f.RunAfterDashDashAsync(_f.Alice, "whoami", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(fingerprint, doc.RootElement.GetProperty("key_fingerprint").GetString());
        Assert.Equal("publickey", doc.RootElement.GetProperty("auth_method").GetString());
    }

    [Fact]
    public async Task Routes_shows_a_route_served_anywhere_as_active_with_its_health_and_an_unserved_one_as_none()
    {
        // Bob's tunnel serves "live"; alice asks on a connection of her own that forwards nothing.
        JsonElement live = default, idle = default;
        var deadline = DateTime.UtcNow + Timeout;
        string last;
        do
        {
            var result = await _f.RunAsync(_f.Alice, "routes --json");
            Assert.True(result.ExitCode == 0, result.Stderr);
            last = result.Stdout;
            using var doc = JsonDocument.Parse(result.Stdout);
            var routes = doc.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.Clone()).ToList();
            Assert.Equal(["https-cli-live.example.com", "https-cli-idle.example.com"], routes.Select(r => r.GetProperty("id").GetString())); // not bob's route
            (live, idle) = (routes[0], routes[1]);
            if (live.GetProperty("health").GetString() == "HEALTHY") break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(live.GetProperty("status").GetString() == "ACTIVE", last);
        Assert.True(live.GetProperty("health").GetString() == "HEALTHY", last + "\nnode:\n" + _f.Node.Log);
        Assert.Equal(1, live.GetProperty("endpoints").GetProperty("total").GetInt32());
        Assert.Equal("https://cli-live.example.com", live.GetProperty("from").GetString());
        Assert.Equal("NONE", idle.GetProperty("status").GetString());
        Assert.Equal("NONE", idle.GetProperty("health").GetString());

        var text = await _f.RunAsync(_f.Alice, "routes");
        var lines = text.Stdout.Split('\n');
        Assert.Matches(@"^STATUS\s+HEALTH\s+ENDPOINTS\s+REMOTE\s+LOCAL$", lines[0]);
        Assert.Matches(@"^ACTIVE\s+HEALTHY\s+1\s+https://cli-live\.example\.com\s+http://127\.0\.0\.1:\d+$", lines[1]);
        Assert.Matches(@"^--\s+--\s+0\s+https://cli-idle\.example\.com\s+http://127\.0\.0\.1:9$", lines[2]);
    }

    [Fact]
    public async Task Status_on_a_connection_that_also_forwards_lists_its_forwards_and_their_routes()
    {
        // OpenSSH sends tcpip-forward before the command, on the same connection.
        var result = await _f.RunAsync(_f.Alice, "status --json", "-o", "ExitOnForwardFailure=yes", "-R", "0", "-R", "cli-idle.example.com:443:127.0.0.1:9");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal("alice@example.com", doc.RootElement.GetProperty("email").GetString());
        var forwards = doc.RootElement.GetProperty("forwards").EnumerateArray().ToList();
        Assert.Equal(2, forwards.Count);
        var dynamic = forwards.Single(f => f.GetProperty("mode").GetString() == "dynamic");
        Assert.Equal("localhost", dynamic.GetProperty("bind_address").GetString());
        Assert.True(dynamic.GetProperty("matches_all").GetBoolean());
        Assert.InRange(dynamic.GetProperty("server_port").GetUInt32(), 32768u, 65535u);
        Assert.Equal(["https-cli-live.example.com", "https-cli-idle.example.com"], dynamic.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(["https-cli-bob.example.com"], dynamic.GetProperty("not_admitted").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        // -R 0 came first, so it serves every route it matches, cli-idle too; a route is served by the first forward that matches it.
        var fixedForward = forwards.Single(f => f.GetProperty("mode").GetString() == "static_https");
        Assert.Equal("cli-idle.example.com", fixedForward.GetProperty("bind_address").GetString());
        Assert.Equal(443u, fixedForward.GetProperty("server_port").GetUInt32());
        Assert.Equal(0, fixedForward.GetProperty("routes").GetArrayLength());

        var text = await _f.RunAsync(_f.Alice, "status", "-R", "cli-idle.example.com:0");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Matches(@"\ncli-idle\.example\.com\s+D \d+\s+dynamic\s+https://cli-idle\.example\.com\n", text.Stdout);

        var none = await _f.RunAsync(_f.Alice, "status");
        Assert.Contains("no forwards on this connection", none.Stdout);
    }

    [Fact]
    public async Task Unknown_command_prints_help_on_stderr_and_exits_1()
    {
        var result = await _f.RunAsync(_f.Alice, "uptime");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("gateway: unknown command \"uptime\"", result.Stderr);
        Assert.Contains("  routes [--json]", result.Stderr);
    }

    [Fact]
    public async Task Unknown_flag_exits_2_help_and_logout_exit_0()
    {
        var flag = await _f.RunAsync(_f.Alice, "routes --all");
        Assert.Equal(2, flag.ExitCode);
        Assert.Equal("", flag.Stdout);
        Assert.Contains("gateway: unknown flag \"--all\" for \"routes\"", flag.Stderr);

        var help = await _f.RunAsync(_f.Alice, "help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("  whoami [--json]", help.Stdout);

        var logout = await _f.RunAsync(_f.Alice, "logout");
        Assert.Equal(0, logout.ExitCode);
        Assert.StartsWith("gateway: there is no sign-in to end", logout.Stdout);
    }

    [Fact]
    public async Task With_a_terminal_lines_end_in_cr_lf()
    {
        var result = await _f.RunAsync(_f.Alice, "whoami", "-tt");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Email:          alice@example.com\r\n", result.Stdout);
    }
}
