<?xml version="1.0" encoding="utf-8"?>{% load static %}
<!-- Shows an Atom feed opened in a browser as a page (feeds.TextAtom1Feed names this stylesheet).
     Same origin as the CSP requires; no script. Entries are output as text, never as markup. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="da">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> (feed)</title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
      </head>
      <body>
        <main id="indhold">
          <p class="notice"><strong>Dette er et feed.</strong> Kopier adressen fra browserens adresselinje ind i en feedlæser (fx Feedly, Inoreader, Thunderbird eller Outlook), så får du de nye punkter, når de kommer til. Du skal ikke oprette en konto, og arkivet ved ikke, hvem der følger med.</p>
          <h1><xsl:value-of select="atom:title"/></h1>
          <p><xsl:value-of select="atom:subtitle"/></p>
          <p><a href="{atom:link[@rel='alternate']/@href}">Se siden i arkivet</a></p>
          <h2>De nyeste punkter</h2>
          <ol class="hits">
            <xsl:for-each select="atom:entry">
              <li class="hit">
                <h3 class="hit__title"><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h3>
                <p><xsl:value-of select="atom:summary"/></p>
              </li>
            </xsl:for-each>
          </ol>
          <xsl:if test="not(atom:entry)"><p>Ingen punkter endnu.</p></xsl:if>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
