using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Gateway.Node.SignIn;

/// <summary>
/// Encrypts a Data Protection key's secret XML with AES-GCM under <see cref="KeyRingSecret"/>:
/// <c>&lt;encryptedKey version="1"&gt;base64(nonce | tag | ciphertext)&lt;/encryptedKey&gt;</c>.
/// </summary>
public sealed class KeyRingXmlEncryptor(KeyRingSecret secret) : IXmlEncryptor
{
    public const string ElementName = "encryptedKey";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Binds the ciphertext to its purpose, so it is not accepted as anything else.</summary>
    internal static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("gateway data protection key v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(secret.Key, TagSize))
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), AssociatedData);
        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName, new XAttribute("version", 1), Convert.ToBase64String(sealedBytes));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }

    internal static XElement Decrypt(byte[] key, XElement encryptedElement)
    {
        if (encryptedElement.Name != ElementName || (string?)encryptedElement.Attribute("version") != "1")
            throw new CryptographicException($"not a gateway key ring element: <{encryptedElement.Name}>");
        var sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        if (sealedBytes.Length < NonceSize + TagSize) throw new CryptographicException("gateway key ring element too short");
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using (var aes = new AesGcm(key, TagSize))
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plaintext, AssociatedData);
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
