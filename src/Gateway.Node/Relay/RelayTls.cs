using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Node.ClusterSecurity;

namespace Gateway.Node.Relay;

/// <summary>
/// The relay connection's stream: with <c>cluster.tls</c> an <see cref="SslStream"/> on which both
/// nodes present their cluster certificate and check the other's (<see cref="ClusterCredentials.Refusal"/>),
/// so only members can redeem tokens or read the tunnel's bytes; without it the plain socket.
/// </summary>
public sealed class RelayTls
{
    private readonly ClusterTls _tls;
    private SslStreamCertificateContext? _context;

    public RelayTls(ClusterTls tls) => _tls = tls;

    public bool Enabled => _tls.Credentials is not null;

    /// <summary>The owner's side: requires and checks the dialer's certificate.</summary>
    /// <exception cref="AuthenticationException">with the reason, when the peer is not a cluster member.</exception>
    public async Task<Stream> AcceptAsync(Socket socket, CancellationToken ct)
    {
        if (_tls.Credentials is not { } credentials) return new NetworkStream(socket, ownsSocket: false);
        string? refusal = null;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        return await HandshakeAsync(ssl, () => ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = Context(credentials),
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => (refusal = credentials.Refusal(certificate)) is null,
        }, ct), () => refusal).ConfigureAwait(false);
    }

    /// <summary>The dialer's side: presents this node's certificate and checks the owner's. The returned stream owns the socket.</summary>
    /// <exception cref="AuthenticationException">with the reason, when the owner is not a cluster member (or refused us).</exception>
    public async Task<Stream> ConnectAsync(Socket socket, string targetHost, CancellationToken ct)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        if (_tls.Credentials is not { } credentials) return network;
        string? refusal = null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        return await HandshakeAsync(ssl, () => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificateContext = Context(credentials),
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => (refusal = credentials.Refusal(certificate)) is null,
        }, ct), () => refusal).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one side's handshake; on failure disposes the stream and, when the peer's certificate
    /// was what failed, throws <see cref="AuthenticationException"/> with that reason.
    /// </summary>
    private static async Task<Stream> HandshakeAsync(SslStream ssl, Func<Task> authenticate, Func<string?> refusal)
    {
        try
        {
            await authenticate().ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (refusal() is { } reason && ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(reason, ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Half-close: TLS close_notify first (the peer then reads end of stream), then the socket's send side.</summary>
    public static async Task ShutdownSendAsync(Stream stream, Socket socket)
    {
        if (stream is SslStream ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Send);
    }

    private SslStreamCertificateContext Context(ClusterCredentials credentials)
        => _context ??= SslStreamCertificateContext.Create(credentials.Certificate, additionalCertificates: null, offline: true);
}
