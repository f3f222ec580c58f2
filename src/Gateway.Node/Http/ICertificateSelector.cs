using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Http;

/// <summary>Chooses the server certificate for a TLS handshake by SNI name (null when the client sent none).</summary>
public interface ICertificateSelector
{
    X509Certificate2? Select(string? serverName);
}
