using Gateway.Ssh.Wire;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Ssh.Keys;

/// <summary>An <c>ssh-ed25519</c> public key (RFC 8709): <c>string "ssh-ed25519", string pk(32)</c>.</summary>
public sealed class Ed25519PublicKey : SshPublicKey
{
    public const int KeyLength = 32;
    public const int SignatureLength = 64;

    private readonly byte[] _publicKey;
    private readonly byte[] _blob;

    public Ed25519PublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != KeyLength)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"ed25519 public key must be {KeyLength} bytes, got {publicKey.Length}");
        _publicKey = publicKey.ToArray();
        var pk = _publicKey;
        _blob = SshMessageBuilder.Build(w =>
        {
            w.WriteString(SshKeyAlgorithms.Ed25519);
            w.WriteBinary(pk);
        });
    }

    public override string KeyType => SshKeyAlgorithms.Ed25519;
    public override ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlyMemory<byte> PublicKeyBytes => _publicKey;

    public override bool Verify(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signatureAlgorithm != SshKeyAlgorithms.Ed25519) return false;
        if (!SshSignatureBlob.TryDecode(signature, SshKeyAlgorithms.Ed25519, out var sig)) return false;
        if (sig.Length != SignatureLength) return false;
        try
        {
            // A fresh signer per call: BouncyCastle signers are stateful, and CA keys are shared across threads.
            var verifier = new Ed25519Signer();
            verifier.Init(false, new Ed25519PublicKeyParameters(_publicKey));
            verifier.BlockUpdate(data);
            return verifier.VerifySignature(sig.ToArray());
        }
        catch (ArgumentException)
        {
            // The 32 bytes do not decode to a curve point.
            return false;
        }
    }
}
