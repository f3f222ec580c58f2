using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Transport;

/// <summary>RFC 4253 §7.1 negotiation: in every list the client's first entry that the server also lists wins.</summary>
internal static class AlgorithmNegotiator
{
    public static NegotiatedAlgorithms Negotiate(KexInitMessage client, KexInitMessage server)
    {
        var kex = Choose(client.Kex, server.Kex, "key exchange", skipPseudo: true);
        var hostKey = Choose(client.HostKey, server.HostKey, "host key");
        var cipherCtoS = Choose(client.CiphersCtoS, server.CiphersCtoS, "client-to-server cipher");
        var cipherStoC = Choose(client.CiphersStoC, server.CiphersStoC, "server-to-client cipher");
        var macCtoS = ChooseMac(cipherCtoS, client.MacsCtoS, server.MacsCtoS, "client-to-server MAC");
        var macStoC = ChooseMac(cipherStoC, client.MacsStoC, server.MacsStoC, "server-to-client MAC");
        Choose(client.CompressionCtoS, server.CompressionCtoS, "client-to-server compression");
        Choose(client.CompressionStoC, server.CompressionStoC, "server-to-client compression");
        return new NegotiatedAlgorithms(kex, hostKey, cipherCtoS, cipherStoC, macCtoS, macStoC);
    }

    /// <summary>
    /// Whether a peer's guessed first kex packet fits: OpenSSH compares the first kex and host key
    /// entries of both proposals (kex.c proposals_match).
    /// </summary>
    public static bool GuessIsRight(KexInitMessage a, KexInitMessage b) =>
        a.Kex.Length > 0 && b.Kex.Length > 0 && a.HostKey.Length > 0 && b.HostKey.Length > 0
        && a.Kex[0] == b.Kex[0] && a.HostKey[0] == b.HostKey[0];

    private static string? ChooseMac(string cipher, string[] client, string[] server, string what)
    {
        // AEAD ciphers carry their own tag; OpenSSH only negotiates a MAC when the cipher has none.
        if (CipherAlgorithms.TryGetCipher(cipher, out var info) && info.IsAead)
            return null;
        return Choose(client, server, what);
    }

    private static string Choose(string[] client, string[] server, string what, bool skipPseudo = false)
    {
        foreach (var name in client)
        {
            if (skipPseudo && KexInitMessage.IsPseudoKexName(name)) continue;
            if (Array.IndexOf(server, name) >= 0) return name;
        }
        throw new SshProtocolException(DisconnectReason.KeyExchangeFailed,
            $"no matching {what} algorithm (client: {string.Join(',', client)}; server: {string.Join(',', server)})");
    }
}
