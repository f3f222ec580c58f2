using System.Security.Cryptography;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>
/// An <c>ssh-rsa</c> public key (RFC 4253 §6.6): <c>string "ssh-rsa", mpint e, mpint n</c>.
/// Keys of any size up to 16384 bits parse, but <see cref="Verify"/> returns false for moduli
/// under <see cref="MinimumVerifyBits"/> bits, and only <c>rsa-sha2-256</c> / <c>rsa-sha2-512</c>
/// signatures (RFC 8332) are accepted: SHA-1 <c>ssh-rsa</c> signatures are refused. Public
/// exponents above <see cref="MaximumExponent"/> are refused when the key is parsed.
/// </summary>
public sealed class RsaPublicKey : SshPublicKey
{
    /// <summary>OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE.</summary>
    public const int MinimumVerifyBits = 1024;
    /// <summary>OpenSSH's SSHBUF_MAX_BIGNUM limit (16384 bits).</summary>
    public const int MaximumModulusBytes = 2048;

    /// <summary>
    /// Largest public exponent accepted (2^31 - 1). Every key generator uses 65537; a huge
    /// exponent only makes each verification slower (a modulus-sized one costs about 100 times
    /// more), which a client could use to load the server before it is authenticated. Go's SSH
    /// package draws the line lower (24 bits); this one keeps every 32-bit signed value.
    /// </summary>
    public const long MaximumExponent = int.MaxValue;

    private readonly byte[] _exponent;
    private readonly byte[] _modulus;
    private readonly byte[] _blob;

    /// <param name="exponent">e as an unsigned big-endian magnitude.</param>
    /// <param name="modulus">n as an unsigned big-endian magnitude.</param>
    public RsaPublicKey(ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus)
    {
        exponent = TrimLeadingZeros(exponent);
        modulus = TrimLeadingZeros(modulus);
        if (modulus.IsEmpty || exponent.IsEmpty)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "ssh-rsa key has a zero exponent or modulus");
        if (modulus.Length > MaximumModulusBytes)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"ssh-rsa modulus of {modulus.Length} bytes is larger than {MaximumModulusBytes}");
        if (exponent.Length > modulus.Length)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "ssh-rsa exponent is larger than the modulus");
        if (exponent.Length > 4 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(PadTo4(exponent)) > MaximumExponent)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"ssh-rsa public exponent is larger than {MaximumExponent}");
        _exponent = exponent.ToArray();
        _modulus = modulus.ToArray();
        KeySizeBits = (_modulus.Length - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)_modulus[0]));
        var e = _exponent;
        var n = _modulus;
        _blob = SshMessageBuilder.Build(w =>
        {
            w.WriteString(SshKeyAlgorithms.Rsa);
            w.WriteMPInt(e);
            w.WriteMPInt(n);
        });
    }

    public override string KeyType => SshKeyAlgorithms.Rsa;
    public override ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>Bit length of the modulus.</summary>
    public int KeySizeBits { get; }
    public ReadOnlyMemory<byte> Exponent => _exponent;
    public ReadOnlyMemory<byte> Modulus => _modulus;

    public override bool Verify(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        VerifyCore(signatureAlgorithm, data, signature, allowSha1: false);

    /// <summary>
    /// Verification with an opt-in for SHA-1 <c>ssh-rsa</c>, used only so the certificate validator
    /// can report "CA signature algorithm not allowed" instead of "bad signature".
    /// </summary>
    internal bool VerifyCore(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, bool allowSha1)
    {
        HashAlgorithmName hash;
        switch (signatureAlgorithm)
        {
            case SshKeyAlgorithms.RsaSha512: hash = HashAlgorithmName.SHA512; break;
            case SshKeyAlgorithms.RsaSha256: hash = HashAlgorithmName.SHA256; break;
            case SshKeyAlgorithms.Rsa when allowSha1: hash = HashAlgorithmName.SHA1; break;
            default: return false;
        }
        if (KeySizeBits < MinimumVerifyBits) return false;
        if (!SshSignatureBlob.TryDecode(signature, signatureAlgorithm, out var sig)) return false;
        // OpenSSH accepts signatures shorter than the modulus and left-pads them; .NET wants the exact length.
        if (sig.Length > _modulus.Length || sig.IsEmpty) return false;
        var padded = new byte[_modulus.Length];
        sig.CopyTo(padded.AsSpan(padded.Length - sig.Length));
        try
        {
            using var rsa = RSA.Create(new RSAParameters { Exponent = _exponent, Modulus = _modulus });
            return rsa.VerifyData(data, padded, hash, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] PadTo4(ReadOnlySpan<byte> value)
    {
        var padded = new byte[4];
        value.CopyTo(padded.AsSpan(4 - value.Length));
        return padded;
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length && value[i] == 0) i++;
        return value[i..];
    }
}
