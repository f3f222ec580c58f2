namespace Gateway.Ssh.Crypto;

/// <summary>
/// Static description of a MAC. Only encrypt-then-MAC variants are offered, so the MAC always
/// covers the plaintext length and the ciphertext body.
/// </summary>
public sealed record MacInfo(string Name, int KeyLength, int TagLength, bool EncryptThenMac);
