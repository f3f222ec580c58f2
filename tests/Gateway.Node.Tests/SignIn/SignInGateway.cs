using System.Globalization;
using System.Security.Cryptography;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Gateway.Testing.SignIn;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Real gateway nodes with sign-in through a real OpenID Connect provider (oidc-provider on
/// loopback): one node, or a cluster whose nodes share the cookie secret and whose authenticate
/// URL is the first node's listener. Browsers reach every host through Chromium's host mapping
/// (every name is 127.0.0.1), curl through <c>--resolve</c>.
/// </summary>
public sealed class SignInGateway : IAsyncDisposable
{
    public const string AuthenticateHost = "authenticate.localhost.test";
    public const string ClientId = "gateway";
    public const string ClientSecret = "gateway-test-secret";

    private SignInGateway(OidcTestProvider idp, IReadOnlyList<GatewayNodeProcess> nodes, string authenticateUrl)
    {
        Idp = idp;
        Nodes = nodes;
        AuthenticateUrl = authenticateUrl;
    }

    public OidcTestProvider Idp { get; }
    public IReadOnlyList<GatewayNodeProcess> Nodes { get; }
    public GatewayNodeProcess Node => Nodes[0];

    /// <summary>https://authenticate.localhost.test:PORT/ (the first node's listener).</summary>
    public string AuthenticateUrl { get; }

    public static string Url(GatewayNodeProcess node, string host, string path = "/", string scheme = "https")
        => string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{node.HttpsPort}{path}");

    /// <param name="body">routes and users (HOCON)</param>
    /// <param name="insecureServer">plain HTTP listeners (<c>insecure_server</c>) and an http authenticate URL</param>
    public static async Task<SignInGateway> StartAsync(TempDirectory dir, string body, int nodeCount = 1, string extra = "", bool insecureServer = false)
    {
        var ports = Enumerable.Range(0, nodeCount).Select(_ => (Https: LoopbackPorts.Reserve(), Ssh: LoopbackPorts.Reserve(), Cluster: LoopbackPorts.Reserve(), Status: LoopbackPorts.Reserve())).ToList();
        var scheme = insecureServer ? "http" : "https";
        var authenticateUrl = string.Create(CultureInfo.InvariantCulture, $"{scheme}://{AuthenticateHost}:{ports[0].Https}/");
        if (insecureServer)
            extra += "\ninsecure_server = true";
        var idp = await OidcTestProvider.StartAsync([new OidcTestClient(ClientId, ClientSecret, [authenticateUrl + "oauth2/callback"])]);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var nodes = new List<GatewayNodeProcess>();
        try
        {
            for (var i = 0; i < nodeCount; i++)
            {
                var (https, ssh, cluster, status) = ports[i];
                var dataDir = Path.Combine(dir.Path, $"signin-node{i}");
                var config = $$"""
                    address = "127.0.0.1:{{https}}"
                    ssh_address = "127.0.0.1:{{ssh}}"
                    data_dir = "{{dataDir}}"
                    idp_provider = "oidc"
                    idp_provider_url = "{{idp.Issuer}}"
                    idp_client_id = "{{ClientId}}"
                    idp_client_secret = "{{ClientSecret}}"
                    idp_scopes = ["openid", "email", "profile", "groups"]
                    authenticate_service_url = "{{authenticateUrl}}"
                    cookie_secret = "{{secret}}"
                    cluster {
                      hostname = "127.0.0.1"
                      port = {{cluster}}
                      seed_nodes = ["127.0.0.1:{{ports[0].Cluster}}"]
                      status_address = "127.0.0.1:{{status}}"
                    }
                    {{extra}}
                    {{body}}
                    """;
                var path = dir.WritePrivate($"signin-node{i}.hocon", config);
                var node = GatewayNodeProcess.FromConfigFile(path, dataDir, https, ssh, status, name: $"node{i}");
                nodes.Add(node);
                await node.StartAsync(TimeSpan.FromSeconds(60), waitForReadyz: true);
            }
            return new SignInGateway(idp, nodes, authenticateUrl);
        }
        catch
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            await idp.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
        await Idp.DisposeAsync();
    }

    /// <summary>
    /// The browser's part of an SSH sign-in: open the URL the client printed, sign in at the
    /// provider as <paramref name="user"/>, and confirm (or deny) the code. Snapshots "confirm page" and "decided".
    /// </summary>
    public static BrowserPlan ConfirmCode(string url, string user, bool confirm = true) => new BrowserPlan()
        .Goto(url)
        .Login(user, OidcTestProvider.Users.Password)
        .WaitForUrl("user_code=")
        .Snapshot("confirm page")
        .Click(confirm ? "#confirm" : "#deny")
        .Snapshot("decided");

    /// <summary>Everything that may explain a failure: each node's log and the provider's.</summary>
    public string Logs() => string.Join("\n", Nodes.Select(n => $"--- {n.Name}\n{n.Log}")) + "\n--- idp\n" + Idp.Log;
}
