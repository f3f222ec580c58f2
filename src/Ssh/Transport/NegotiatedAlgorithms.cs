namespace Gateway.Ssh.Transport;

/// <summary>The outcome of a key exchange. MACs are null when the cipher is an AEAD (its tag replaces the MAC).</summary>
public sealed record NegotiatedAlgorithms(
    string Kex,
    string HostKey,
    string CipherCtoS,
    string CipherStoC,
    string? MacCtoS,
    string? MacStoC);
