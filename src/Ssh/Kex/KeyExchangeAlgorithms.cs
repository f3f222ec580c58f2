namespace Gateway.Ssh.Kex;

/// <summary>The key-exchange methods this library negotiates, in our preference order.</summary>
public static class KeyExchangeAlgorithms
{
    public const string MlKem768X25519Sha256 = "mlkem768x25519-sha256";
    public const string Curve25519Sha256 = "curve25519-sha256";
    public const string Curve25519Sha256LibSsh = "curve25519-sha256@libssh.org";
    public const string EcdhSha2NistP256 = "ecdh-sha2-nistp256";

    public static IReadOnlyList<string> Supported { get; } = Array.AsReadOnly(new[]
    {
        MlKem768X25519Sha256,
        Curve25519Sha256,
        Curve25519Sha256LibSsh,
        EcdhSha2NistP256,
    });

    public static bool IsSupported(string name) => Supported.Contains(name);

    /// <summary>A fresh instance for one exchange (client or server role, not both).</summary>
    public static KeyExchange Create(string name) => name switch
    {
        MlKem768X25519Sha256 => new MlKem768X25519KeyExchange(),
        Curve25519Sha256 or Curve25519Sha256LibSsh => new Curve25519KeyExchange(name),
        EcdhSha2NistP256 => new EcdhNistP256KeyExchange(),
        _ => throw new ArgumentException($"Unsupported key exchange {name}.", nameof(name)),
    };
}
