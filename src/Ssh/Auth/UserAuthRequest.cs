using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Auth;

/// <summary>A parsed USERAUTH_REQUEST (RFC 4252 §5), copied out of the receive buffer.</summary>
internal sealed class UserAuthRequest
{
    private UserAuthRequest(string user, string service, string method)
    {
        User = user;
        Service = service;
        Method = method;
    }

    public string User { get; }
    public string Service { get; }
    public string Method { get; }

    // publickey fields
    public bool HasSignature { get; private init; }
    public string Algorithm { get; private init; } = "";
    public byte[] KeyBlob { get; private init; } = [];
    public byte[] Signature { get; private init; } = [];

    // keyboard-interactive fields
    public string Submethods { get; private init; } = "";

    /// <summary>Parses the whole message; anything malformed is a <see cref="SshProtocolException"/>.</summary>
    public static UserAuthRequest Parse(ReadOnlySpan<byte> payload)
    {
        var r = new SshReader(payload);
        if (r.ReadByte() != SshMessageNumber.UserAuthRequest)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "not a USERAUTH_REQUEST");
        var user = r.ReadString();
        var service = r.ReadString();
        var method = r.ReadString();
        UserAuthRequest request;
        switch (method)
        {
            case SshAuthMethods.PublicKey:
            {
                var hasSignature = r.ReadBoolean();
                var algorithm = r.ReadString();
                var blob = r.ReadBinary().ToArray();
                var signature = hasSignature ? r.ReadBinary().ToArray() : [];
                r.EnsureEnd();
                request = new UserAuthRequest(user, service, method)
                {
                    HasSignature = hasSignature,
                    Algorithm = algorithm,
                    KeyBlob = blob,
                    Signature = signature,
                };
                break;
            }
            case SshAuthMethods.KeyboardInteractive:
            {
                r.ReadString(); // language tag, deprecated (RFC 4256 §3.1)
                var submethods = r.ReadString();
                r.EnsureEnd();
                request = new UserAuthRequest(user, service, method) { Submethods = submethods };
                break;
            }
            default:
                // "none" has no fields; other methods (password, hostbased...) are refused without
                // interpreting their fields, so trailing bytes are not an error for them.
                if (method == SshAuthMethods.None) r.EnsureEnd();
                request = new UserAuthRequest(user, service, method);
                break;
        }
        return request;
    }
}
