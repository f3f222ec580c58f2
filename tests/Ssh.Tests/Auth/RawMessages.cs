using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

using Gateway.Testing.Ssh;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>Hand-built client messages for protocol-level tests.</summary>
internal static class RawMessages
{
    public static byte[] None(string user, string service = SshAuthMethods.ConnectionService) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
        {
            w.WriteString(user);
            w.WriteString(service);
            w.WriteString(SshAuthMethods.None);
        });

    public static byte[] Query(string user, string algorithm, SshPublicKey key) =>
        UserAuthMessages.PublicKeyRequest(user, algorithm, key.Blob.Span, default, signed: false);

    /// <summary>A signed publickey request; <paramref name="signer"/> defaults to the key itself.</summary>
    public static byte[] Signed(string user, string algorithm, SshPrivateKey key, SshPrivateKey? signer = null, byte[]? sessionId = null)
    {
        var data = UserAuthMessages.PublicKeySignedData(sessionId ?? InMemorySshTransport.FixedSessionId, user, SshAuthMethods.ConnectionService, algorithm, key.PublicKey.Blob.Span);
        var signature = (signer ?? key).Sign(UserAuthAlgorithms.ToSignatureAlgorithm(algorithm), data);
        return UserAuthMessages.PublicKeyRequest(user, algorithm, key.PublicKey.Blob.Span, signature, signed: true);
    }

    public static byte[] KeyboardInteractive(string user) => UserAuthMessages.KeyboardInteractiveRequest(user);

    public static byte[] InfoResponse(params string[] responses) => UserAuthMessages.InfoResponse(responses);
}
