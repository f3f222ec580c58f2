using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Tests.Support;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// .NET clients (HttpClient, gRPC, ClientWebSocket) talking to a node the way curl does with
/// <c>--cacert</c> and <c>--resolve</c>: every connection goes to the node's loopback HTTPS port
/// whatever the route's host name, and the server certificate must chain to the node's own CA
/// (<c>&lt;data_dir&gt;/ca.pem</c>) and match the requested name.
/// </summary>
public sealed class NodeTrust
{
    private readonly X509Certificate2 _ca;
    private int _connections;
    private int _validations;

    public NodeTrust(GatewayNodeProcess node)
    {
        Node = node;
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(node.CaPath));
    }

    public GatewayNodeProcess Node { get; }

    /// <summary>TCP connections opened to the node by handlers from <see cref="CreateHandler"/>.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Server certificates accepted by the CA check.</summary>
    public int Validations => Volatile.Read(ref _validations);

    public Uri Url(string scheme, string host, string path = "/") => new($"{scheme}://{host}:{Node.HttpsPort}{path}");

    public SocketsHttpHandler CreateHandler(int maxConnections = int.MaxValue) => new()
    {
        MaxConnectionsPerServer = maxConnections,
        ConnectTimeout = TimeSpan.FromSeconds(20),
        ConnectCallback = async (_, ct) =>
        {
            Interlocked.Increment(ref _connections);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Node.HttpsPort), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    };

    /// <summary>Accepts only a certificate for the requested name that chains to the node's CA.</summary>
    private bool Validate(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        if (!chain.Build(leaf))
            return false;
        Interlocked.Increment(ref _validations);
        return true;
    }
}
