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
        return ((byte[])_key.PublicKey.Clone(), SharedSecretEncoding.AsMPIntClearing(_key.Agree(clientValue)));
    }

    public override byte[] CompleteAsClient(ReadOnlySpan<byte> serverValue) =>
        SharedSecretEncoding.AsMPIntClearing(_key.Agree(serverValue));

    public override void Dispose()
    {
        _key.Dispose();
        base.Dispose();
    }
}
