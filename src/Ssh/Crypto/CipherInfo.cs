namespace Gateway.Ssh.Crypto;

/// <summary>
/// Static description of a packet cipher: how much key material the transport must derive for it
/// and how it shapes packets. <paramref name="IsAead"/> ciphers carry their own tag and ignore the MAC.
/// </summary>
public sealed record CipherInfo(string Name, int KeyLength, int IvLength, bool IsAead, int BlockSize);
