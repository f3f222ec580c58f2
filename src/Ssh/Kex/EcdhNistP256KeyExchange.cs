using System.Security.Cryptography;

namespace Gateway.Ssh.Kex;

/// <summary>
/// ecdh-sha2-nistp256 (RFC 5656 §4) on the platform's ECDiffieHellman: Q_C/Q_S are uncompressed
/// points, K is the x-coordinate of the shared point as an mpint.
/// </summary>
internal sealed class EcdhNistP256KeyExchange : KeyExchange
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public override string Name => KeyExchangeAlgorithms.EcdhSha2NistP256;

    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    public override byte[] CreateClientValue()
    {
        Claim();
        return OwnPublic();
    }

    public override (byte[] ServerValue, byte[] EncodedSharedSecret) RespondToClient(ReadOnlySpan<byte> clientValue)
    {
        Claim();
        var k = Agree(clientValue);
        return (OwnPublic(), k);
    }

    public override byte[] CompleteAsClient(ReadOnlySpan<byte> serverValue) => Agree(serverValue);

    private byte[] OwnPublic() => NistP256Point.Encode(_key.ExportParameters(includePrivateParameters: false));

    private byte[] Agree(ReadOnlySpan<byte> peerValue)
    {
        var parameters = NistP256Point.Decode(peerValue);
        byte[] secret;
        try
        {
            using var peer = ECDiffieHellman.Create(parameters);
            secret = _key.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException e)
        {
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "P-256 key agreement failed.", e);
        }
        return SharedSecretEncoding.AsMPIntClearing(secret);
    }

    public override void Dispose()
    {
        _key.Dispose();
        base.Dispose();
    }
}
