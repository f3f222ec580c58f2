using Akka.Event;
using Akka.Remote.Hosting;

namespace Gateway.Node.ClusterSecurity;

/// <summary>
/// Akka.Remote's DotNetty transport with mutual TLS: both sides present their cluster certificate
/// and both check the other's with <see cref="ClusterCredentials.Refusal"/> (the cluster CA only,
/// not the system's roots). Addresses become <c>akka.ssl.tcp://</c>.
/// </summary>
public static class AkkaTls
{
    public static RemoteOptions Apply(RemoteOptions options, ClusterCredentials? credentials)
    {
        if (credentials is null) return options;
        options.EnableSsl = true;
        options.Ssl = new SslOptions
        {
            X509Certificate = credentials.Certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            // Nodes are addressed by whatever name or IP the operator configured; membership is the CA's signature.
            ValidateCertificateHostname = false,
            CustomValidator = (certificate, _, remotePeer, _, log) =>
            {
                if (credentials.Refusal(certificate) is not { } reason) return true;
                log.Warning("refused the cluster connection with {0}: {1}", remotePeer, reason);
                return false;
            },
        };
        return options;
    }
}
