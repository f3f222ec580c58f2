using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Http;

/// <summary>Chooses the server certificate for a TLS handshake by SNI name (null when the client sent none).</summary>
public interface ICertificateSelector
{
    X509Certificate2? Select(string? serverName);

    /// <summary>
    /// True when a handshake for <paramref name="host"/> would be served the same certificate as
    /// the one for <paramref name="serverName"/>: a request for <paramref name="host"/> on a
    /// connection made for <paramref name="serverName"/> then changes nothing the TLS layer decided.
    /// Must not issue certificates.
    /// </summary>
    bool SelectsSameCertificate(string serverName, string host);
}
