using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Gateway.Node.SignIn;

/// <summary>
/// Reverses <see cref="KeyRingXmlEncryptor"/>. Data Protection creates it by type name from the
/// stored XML, passing the service provider; a wrong <c>cookie_secret</c> fails the tag check.
/// </summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
        => KeyRingXmlEncryptor.Decrypt(services.GetRequiredService<KeyRingSecret>().Key, encryptedElement);
}
