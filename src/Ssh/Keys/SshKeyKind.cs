namespace Gateway.Ssh.Keys;

/// <summary>The key algorithms this library can hold as private keys.</summary>
public enum SshKeyKind
{
    Ed25519,
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Rsa,
}
