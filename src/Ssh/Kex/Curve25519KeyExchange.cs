using System.Security.Cryptography;

namespace Gateway.Ssh.Kex;

/// <summary>
/// curve25519-sha256 and its older alias curve25519-sha256@libssh.org (RFC 8731): Q_C and Q_S are
/// raw 32-byte X25519 public keys; K is the X25519 output read as an unsigned big-endian mpint.
/// </summary>
internal sealed class Curve25519KeyExchange : KeyExchange
{
    private readonly X25519KeyPair _key = new();

    public Curve25519KeyExchange(string name) => Name = name;

    public override string Name { get; }

    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    public override byte[] CreateClientValue()
    {
        Claim();
        return (byte[])_key.PublicKey.Clone();
    }

    public override (byte[] ServerValue, byte[] EncodedSharedSecret) RespondToClient(ReadOnlySpan<byte> clientValue)
    {
        Claim();
        var secret = _key.Agree(clientValue);
        try
        {
            return ((byte[])_key.PublicKey.Clone(), SharedSecretEncoding.AsMPInt(secret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public override byte[] CompleteAsClient(ReadOnlySpan<byte> serverValue)
    {
        var secret = _key.Agree(serverValue);
        try
        {
            return SharedSecretEncoding.AsMPInt(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public override void Dispose()
    {
        _key.Dispose();
        base.Dispose();
    }
}
