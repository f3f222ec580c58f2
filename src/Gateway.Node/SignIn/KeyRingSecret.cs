using System.Security.Cryptography;
using System.Text;
using Gateway.Config;

namespace Gateway.Node.SignIn;

/// <summary>
/// The AES-256 key that encrypts each Data Protection key before it enters the cluster's memory,
/// derived from the operator's <c>cookie_secret</c> (HKDF-SHA256): the ring replicated between
/// nodes is useless without that secret, and every node with the same secret reads it.
/// </summary>
public sealed class KeyRingSecret
{
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("gateway data protection keys");

    public KeyRingSecret(SignInConfig config)
        => Key = HKDF.DeriveKey(HashAlgorithmName.SHA256, config.CookieSecret, 32, salt: [], info: Info);

    public byte[] Key { get; }
}
