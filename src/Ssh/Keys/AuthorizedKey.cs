using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>
/// One line of an OpenSSH authorized_keys or <c>.pub</c> file, as sshd(8) reads it (AUTHORIZED_KEYS
/// FILE FORMAT): <c>[options] keytype base64 [comment]</c>. The key type must match the type inside
/// the blob, and the blob must decode.
/// <para>
/// Every key type of <see cref="KeyTypes"/> can be read and compared by blob. Only the verifiable ones
/// (<see cref="SshKeyAlgorithms.VerifiableKeyTypes"/> and their certificates) have a
/// <see cref="PublicKey"/>: the SSH server cannot check a security key's (<c>sk-*</c>) signatures, so
/// such a key never authenticates, though a policy may still name it.
/// </para>
/// </summary>
public sealed class AuthorizedKey
{
    private readonly byte[] _blob;

    private AuthorizedKey(IReadOnlyList<AuthorizedKeyOption> options, string keyType, byte[] blob, string? comment, SshPublicKey? publicKey)
    {
        Options = options;
        KeyType = keyType;
        _blob = blob;
        Comment = comment;
        PublicKey = publicKey;
    }

    /// <summary>Key types a line may carry: the verifiable ones, their certificates, and the security-key types.</summary>
    public static IReadOnlyList<string> KeyTypes { get; } =
    [
        .. SshKeyAlgorithms.VerifiableKeyTypes,
        .. SshKeyAlgorithms.VerifiableKeyTypes.Select(SshKeyAlgorithms.ToCertificateAlgorithm),
        .. SshKeyAlgorithms.SecurityKeyTypes,
    ];

    public IReadOnlyList<AuthorizedKeyOption> Options { get; }

    public string KeyType { get; }

    /// <summary>The wire-format key blob (RFC 4253 §6.6).</summary>
    public ReadOnlyMemory<byte> Blob => _blob;

    public string Base64 => Convert.ToBase64String(_blob);

    /// <summary>The rest of the line after the blob, or null.</summary>
    public string? Comment { get; }

    /// <summary>The decoded key (a <see cref="SshCertificate"/> for a certificate line); null for a security key.</summary>
    public SshPublicKey? PublicKey { get; }

    public bool IsCertificate => SshKeyAlgorithms.IsCertificate(KeyType);

    public bool IsSecurityKey => SshKeyAlgorithms.SecurityKeyTypes.Contains(KeyType);

    /// <summary>True when <paramref name="key"/> is this line's key: the same blob (options and comment never count).</summary>
    public bool Matches(SshPublicKey? key) => key is not null && key.Blob.Span.SequenceEqual(_blob);

    /// <exception cref="FormatException">The line is not a readable key line; the message says why.</exception>
    public static AuthorizedKey Parse(string line) =>
        TryParse(line, out var key, out var error) ? key : throw new FormatException(error);

    public static bool TryParse(string? line, [NotNullWhen(true)] out AuthorizedKey? key, out string error)
    {
        key = null;
        var text = line?.Trim() ?? "";
        if (text.Length == 0)
            return Fail("the public key line is empty", out error);
        if (text[0] == '#')
            return Fail("the public key line is a comment", out error);

        List<AuthorizedKeyOption> options = [];
        if (!KeyTypes.Contains(FirstField(text)))
        {
            // sshd(8): a line that does not start with a key type starts with options.
            var optionsRead = AuthorizedKeyOptions.TryRead(text, out options, out var length, out var optionsError);
            var rest = text[length..].TrimStart();
            if (!KeyTypes.Contains(FirstField(rest)))
            {
                var unknown = optionsRead && rest.Length > 0 ? FirstField(rest) : FirstField(text);
                return Fail($"unknown key type \"{PeerText.Sanitize(unknown)}\" (expected {DescribeKeyTypes()})", out error);
            }
            if (!optionsRead)
                return Fail("bad authorized_keys options: " + optionsError, out error);
            text = rest;
        }

        var fields = text.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        var type = fields[0];
        if (fields.Length < 2)
            return Fail($"the {type} line has no base64 key data", out error);
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[1]);
        }
        catch (FormatException)
        {
            return Fail($"the {type} key is not valid base64", out error);
        }
        if (!TryReadType(blob, out var inner))
            return Fail($"the {type} key blob is truncated", out error);
        if (inner != type)
            return Fail($"the key blob says \"{PeerText.Sanitize(inner)}\" but the line says \"{type}\"", out error);

        SshPublicKey? publicKey = null;
        if (SshKeyAlgorithms.IsVerifiableKeyType(type))
        {
            try
            {
                publicKey = SshKeys.ParsePublicKey(blob);
            }
            catch (SshProtocolException e)
            {
                return Fail($"the {type} key data is invalid: {e.Message}", out error);
            }
        }
        else if (!IsWellFormedSecurityKey(blob))
            return Fail($"the {type} key data is invalid", out error);

        var comment = fields.Length > 2 ? fields[2].Trim() : null;
        key = new AuthorizedKey(options, type, blob, string.IsNullOrEmpty(comment) ? null : comment, publicKey);
        error = "";
        return true;
    }

    /// <summary>The line as sshd(8) would read it back: options, type, base64, comment.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Options.Count > 0)
            text.AppendJoin(',', Options).Append(' ');
        text.Append(KeyType).Append(' ').Append(Base64);
        if (Comment is not null)
            text.Append(' ').Append(Comment);
        return text.ToString();
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    private static string FirstField(string text)
    {
        var end = text.AsSpan().IndexOfAny(' ', '\t');
        return end < 0 ? text : text[..end];
    }

    private static string DescribeKeyTypes() =>
        string.Join(", ", SshKeyAlgorithms.VerifiableKeyTypes.Concat(SshKeyAlgorithms.SecurityKeyTypes))
        + " or a certificate type ending in " + SshKeyAlgorithms.CertificateSuffix;

    private static bool TryReadType(ReadOnlySpan<byte> blob, out string type)
    {
        type = "";
        if (blob.Length < 4)
            return false;
        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length > (uint)(blob.Length - 4))
            return false;
        type = Encoding.Latin1.GetString(blob.Slice(4, (int)length));
        return true;
    }

    /// <summary>
    /// PROTOCOL.u2f: <c>sk-ssh-ed25519@openssh.com</c> is <c>string type, string pk(32), string application</c>;
    /// <c>sk-ecdsa-sha2-nistp256@openssh.com</c> is <c>string type, string "nistp256", string Q, string application</c>.
    /// </summary>
    private static bool IsWellFormedSecurityKey(ReadOnlySpan<byte> blob)
    {
        try
        {
            var reader = new SshReader(blob);
            var type = reader.ReadString();
            if (type == SshKeyAlgorithms.SecurityKeyEd25519)
            {
                if (reader.ReadBinary().Length != 32)
                    return false;
            }
            else
            {
                if (reader.ReadString() != EcdsaCurve.P256.Identifier || reader.ReadBinary().Length != EcdsaCurve.P256.PointLength)
                    return false;
            }
            var application = reader.ReadString();
            reader.EnsureEnd();
            return application.Length > 0;
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }
}
